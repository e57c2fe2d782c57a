package io.pier.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Slice names from CRI cgroup parents, and the cgroup paths slices stand for. */
class SystemdSliceTest {

  @Test
  void aSliceNameIsKeptAndAnExpandedSlicePathGivesItsLastSlice() {
    assertEquals("kubepods-besteffort-pod12_ab.slice",
        SystemdSlice.fromParent("kubepods-besteffort-pod12_ab.slice"));
    assertEquals("kubepods-besteffort-pod12_ab.slice", SystemdSlice.fromParent(
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12_ab.slice"));
  }

  @Test
  void aCgroupfsParentBecomesASliceWithDashesEscaped() {
    assertEquals("kubepods-besteffort-pod12_ab.slice",
        SystemdSlice.fromParent("/kubepods/besteffort/pod12-ab"));
    assertEquals("kubepods.slice", SystemdSlice.fromParent("kubepods/"));
    assertEquals("-.slice", SystemdSlice.fromParent("/"));
  }

  @Test
  void slicesExpandToTheirNestedPath() {
    assertEquals("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice",
        SystemdSlice.expand("kubepods-besteffort-pod1.slice"));
    assertEquals("/system.slice", SystemdSlice.expand("system.slice"));
    assertEquals("/", SystemdSlice.expand("-.slice"));
  }

  @Test
  void malformedSlicesAreRefusedNamingTheSlice() {
    for (String bad : new String[] {".slice", "a--b.slice", "-a.slice", "a-.slice", "a.scope"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SystemdSlice.expand(bad));
      assertEquals(true, e.getMessage().contains(bad), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> SystemdSlice.fromParent("/a/../b"));
    assertThrows(IllegalArgumentException.class, () -> SystemdSlice.fromParent("/x/a--b.slice"));
  }
}
