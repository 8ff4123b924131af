package dev.captcha.loadtest;

import java.util.List;

/**
 * Everything one invocation measured, as written to the console, JSON, CSV and HTML reports;
 * immutable.
 *
 * @param server what the server said it serves (GetModelInfo), or {@code null}
 * @param sweep the sweep's outcome, or {@code null} for a single run
 */
record Report(
    String title,
    String startedAt,
    List<String> targets,
    int connections,
    String workload,
    String server,
    List<RunResult> runs,
    SweepSummary sweep) {

  Report {
    runs = List.copyOf(runs);
    targets = List.copyOf(targets);
  }

  /**
   * The outcome of a sweep.
   *
   * @param parameter what was swept: {@code rate} or {@code concurrency}
   * @param points each run's swept value and whether it met the SLO, in run order
   * @param bracketed whether some step missed the SLO, so the knee lies inside the range tried
   * @param kneeRun index in {@code runs} of the knee, or {@code null} when no step passed
   */
  record SweepSummary(
      String parameter,
      double sloP99Ms,
      double maxErrorShare,
      List<Point> points,
      boolean bracketed,
      Integer kneeRun,
      Double kneeParameter,
      Double kneeThroughputRps,
      Double kneeP99Ms) {

    SweepSummary {
      points = List.copyOf(points);
    }
  }

  /** One step of a sweep. */
  record Point(double parameter, boolean passed) {}

  /** The run whose time series the report shows: the knee of a sweep, else the last run. */
  RunResult featured() {
    if (sweep != null && sweep.kneeRun() != null) {
      return runs.get(sweep.kneeRun());
    }
    return runs.get(runs.size() - 1);
  }
}
