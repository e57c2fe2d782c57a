package io.pier.oci;

import io.pier.cri.v1.LinuxContainerSecurityContext;
import io.pier.cri.v1.SupplementalGroupsPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The user a container's process runs as: uid, primary gid and supplementary gids, resolved
 * from the security context or the image's {@code User} against the image's own
 * {@code /etc/passwd} and {@code /etc/group}.
 */
record ProcessUser(long uid, long gid, List<Long> additionalGids) {

  /** One line of /etc/passwd. */
  private record PasswdEntry(String name, long uid, long gid) {}

  /** One line of /etc/group. */
  private record GroupEntry(String name, long gid, List<String> members) {}

  /**
   * Resolves the process user. The security context's run_as_user or run_as_username replace
   * the image's user (and its group); run_as_group replaces the group, and needs one of them
   * (as containerd and cri-o, which refuse a group alone).
   *
   * @param imageUser the image config's {@code User}: {@code uid}, {@code name},
   *     {@code uid:gid}, {@code name:group} or empty for root
   */
  static ProcessUser resolve(Path rootfs, String imageUser, LinuxContainerSecurityContext sc) {
    String user;
    String group = "";
    if (sc.hasRunAsUser()) {
      if (sc.getRunAsUser().getValue() < 0) {
        throw new IllegalArgumentException("run_as_user " + sc.getRunAsUser().getValue()
            + " is negative");
      }
      user = Long.toString(sc.getRunAsUser().getValue());
    } else if (!sc.getRunAsUsername().isEmpty()) {
      user = sc.getRunAsUsername();
    } else {
      int colon = imageUser.indexOf(':');
      user = colon < 0 ? imageUser : imageUser.substring(0, colon);
      group = colon < 0 ? "" : imageUser.substring(colon + 1);
    }
    if (sc.hasRunAsGroup()) {
      if (!sc.hasRunAsUser() && sc.getRunAsUsername().isEmpty()) {
        throw new IllegalArgumentException("run_as_group " + sc.getRunAsGroup().getValue()
            + " is set without run_as_user or run_as_username");
      }
      if (sc.getRunAsGroup().getValue() < 0) {
        throw new IllegalArgumentException("run_as_group " + sc.getRunAsGroup().getValue()
            + " is negative");
      }
      group = Long.toString(sc.getRunAsGroup().getValue());
    }

    List<PasswdEntry> passwd = readPasswd(rootfs);
    Optional<PasswdEntry> entry;
    long uid;
    if (user.isEmpty()) {
      uid = 0;
      entry = passwd.stream().filter(e -> e.uid() == 0).findFirst();
    } else if (isNumber(user)) {
      uid = Long.parseLong(user);
      entry = passwd.stream().filter(e -> e.uid() == uid).findFirst();
    } else {
      entry = passwd.stream().filter(e -> e.name().equals(user)).findFirst();
      uid = entry.orElseThrow(() -> new IllegalArgumentException("user " + user
          + " is not in the image's /etc/passwd")).uid();
    }

    List<GroupEntry> groups = readGroups(rootfs);
    long gid;
    if (group.isEmpty()) {
      gid = entry.map(PasswdEntry::gid).orElse(0L);
    } else if (isNumber(group)) {
      gid = Long.parseLong(group);
    } else {
      String name = group;
      gid = groups.stream().filter(g -> g.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("group " + name
              + " is not in the image's /etc/group"))
          .gid();
    }

    Set<Long> additional = new LinkedHashSet<>();
    additional.add(gid);
    if (sc.getSupplementalGroupsPolicy() != SupplementalGroupsPolicy.Strict
        && entry.isPresent()) {
      String name = entry.get().name();
      groups.stream().filter(g -> g.members().contains(name))
          .forEach(g -> additional.add(g.gid()));
    }
    additional.addAll(sc.getSupplementalGroupsList());
    return new ProcessUser(uid, gid, List.copyOf(additional));
  }

  private static List<PasswdEntry> readPasswd(Path rootfs) {
    List<PasswdEntry> entries = new ArrayList<>();
    for (String[] f : fields(rootfs, "/etc/passwd")) {
      if (f.length >= 4 && isNumber(f[2]) && isNumber(f[3])) {
        entries.add(new PasswdEntry(f[0], Long.parseLong(f[2]), Long.parseLong(f[3])));
      }
    }
    return entries;
  }

  private static List<GroupEntry> readGroups(Path rootfs) {
    List<GroupEntry> entries = new ArrayList<>();
    for (String[] f : fields(rootfs, "/etc/group")) {
      if (f.length >= 3 && isNumber(f[2])) {
        List<String> members = new ArrayList<>();
        if (f.length >= 4) {
          for (String member : f[3].split(",")) {
            if (!member.isBlank()) {
              members.add(member.strip());
            }
          }
        }
        entries.add(new GroupEntry(f[0], Long.parseLong(f[2]), members));
      }
    }
    return entries;
  }

  /** The colon-separated fields of each line of a file in the rootfs; none if it is absent. */
  private static List<String[]> fields(Path rootfs, String path) {
    Path file = RootfsPaths.resolve(rootfs, path);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      return Files.readAllLines(file).stream()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .map(line -> line.split(":", -1))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the image's " + path, e);
    }
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.length() < 19 && s.chars().allMatch(Character::isDigit);
  }
}
