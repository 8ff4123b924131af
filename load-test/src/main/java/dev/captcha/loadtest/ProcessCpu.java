package dev.captcha.loadtest;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.function.LongSupplier;

/** Reads the CPU time this JVM has used, where the platform tells it; stateless. */
final class ProcessCpu {

  private ProcessCpu() {}

  /** CPU nanoseconds used by the whole process so far, or a supplier of -1 when unknown. */
  static LongSupplier process() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun
        && sun.getProcessCpuTime() >= 0) {
      return sun::getProcessCpuTime;
    }
    return () -> -1;
  }
}
