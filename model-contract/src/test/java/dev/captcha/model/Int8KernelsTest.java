package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Int8KernelsTest {

  @Test
  void int8IsAccurateOnlyWithAnEightBitDotProductSetOrWhereNothingIsKnown() {
    String avx2Only =
        "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu sse2 avx avx2 fma\n";
    assertFalse(Int8Kernels.accurateWith(avx2Only));
    assertTrue(Int8Kernels.accurateWith("flags\t\t: fpu avx2 avx512f avx512_vnni\n"));
    assertTrue(Int8Kernels.accurateWith("flags\t\t: fpu avx2 avx_vnni\n"));
    // A flag that merely contains the name does not count.
    assertFalse(Int8Kernels.accurateWith("flags\t\t: fpu avx2 avx512_vnnix\n"));
    assertTrue(Int8Kernels.accurateWith("Features\t: fp asimd asimddp\n"));
  }
}
