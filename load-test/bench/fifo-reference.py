#!/usr/bin/env python3
"""Reference rows for the offered-load sweep of server-benchmark.sh: the latency of an ideal
server that answers one request at a time, first come first served, each in exactly the time the
real server spends per request when saturated (1 / its saturated rate), under the same Poisson
arrivals (an M/D/1 queue, simulated with Lindley's recursion): the tail that first come, first
served reaches with no overhead at all. Where it exceeds a latency budget, keeping that budget
takes making some requests much later than their turn. Standard library only.

Usage: fifo-reference.py SATURATED_RPS LOAD_PCT... (prints sweep.csv rows)
"""
import random
import sys

REQUESTS = 200_000


def sojourn_percentiles(rate, service, seed=1):
    rnd = random.Random(seed)
    wait = 0.0
    times = []
    for _ in range(REQUESTS):
        gap = rnd.expovariate(rate)
        wait = max(0.0, wait + service - gap) if times else 0.0
        times.append(wait + service)
    times.sort()
    return [times[int(q * len(times))] for q in (0.5, 0.99, 0.999)]


def main(args):
    if len(args) < 2:
        sys.exit(__doc__)
    saturated = float(args[0])
    if saturated <= 0:
        sys.exit("error: the saturated rate must be positive, got " + args[0])
    service = 1.0 / saturated
    for load in args[1:]:
        rate = saturated * float(load) / 100
        if not 0 < rate < saturated:
            sys.exit("error: a load must lie between 0 and 100%, got " + load)
        p50, p99, p999 = (t * 1000 for t in sojourn_percentiles(rate, service))
        print(f"ideal FIFO server (reference),{load},{rate:.1f},{rate:.1f},"
              f"{p50:.3f},{p99:.3f},0,{p999:.3f},")


if __name__ == "__main__":
    main(sys.argv[1:])
