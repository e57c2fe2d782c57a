package io.pier.cgroup;

import java.util.ArrayList;
import java.util.List;

/** systemd slice names: from a CRI cgroup parent, and to the cgroup path they stand for. */
public final class SystemdSlice {

  private static final String SUFFIX = ".slice";

  /** The slice of the root cgroup. */
  static final String ROOT = "-.slice";

  private SystemdSlice() {}

  /**
   * The slice a CRI cgroup parent names. Kubelet with the systemd driver sends either a slice
   * name ({@code kubepods-besteffort-pod1.slice}) or its expanded path
   * ({@code /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice}); a
   * cgroupfs-style parent ({@code /kubepods/besteffort/pod1}) is converted as kubelet converts
   * its own names: each '-' in a component becomes '_', components are joined with '-'.
   */
  public static String fromParent(String parent) {
    String trimmed = parent.strip();
    if (trimmed.endsWith(SUFFIX)) {
      String slice = trimmed.substring(trimmed.lastIndexOf('/') + 1);
      expand(slice);
      return slice;
    }
    List<String> components = new ArrayList<>();
    for (String component : trimmed.split("/")) {
      if (component.equals("..") || component.equals(".")) {
        throw new IllegalArgumentException("cgroup parent " + parent + " contains " + component);
      }
      if (!component.isEmpty()) {
        components.add(component.replace('-', '_'));
      }
    }
    if (components.isEmpty()) {
      return ROOT;
    }
    return String.join("-", components) + SUFFIX;
  }

  /**
   * The cgroup path of a slice, as systemd nests it: {@code a-b.slice} lives at
   * {@code /a.slice/a-b.slice}; {@code -.slice} is the root.
   */
  public static String expand(String slice) {
    if (!slice.endsWith(SUFFIX) || slice.length() == SUFFIX.length() || slice.contains("/")) {
      throw new IllegalArgumentException("invalid systemd slice name " + slice
          + ": must end in .slice and hold no '/'");
    }
    String name = slice.substring(0, slice.length() - SUFFIX.length());
    if (name.equals("-")) {
      return "/";
    }
    StringBuilder path = new StringBuilder();
    StringBuilder prefix = new StringBuilder();
    for (String component : name.split("-", -1)) {
      if (component.isEmpty()) {
        throw new IllegalArgumentException("invalid systemd slice name " + slice
            + ": empty component between '-'");
      }
      path.append('/').append(prefix).append(component).append(SUFFIX);
      prefix.append(component).append('-');
    }
    return path.toString();
  }
}
