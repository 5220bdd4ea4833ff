#!/usr/bin/python3
"""orch and ansible-inventory reading the same generated inventory tree.

Usage: compare_tree_bench.py BUILD_DIR [--hosts N] [--runs N]
                             [--ansible-runs N] [--keep DIR]

Writes the tree inventory_tree_bench generates (hosts.yml, group_vars/ for
HOSTS/100 groups, host_vars/ for HOSTS/10 hosts, every file form), then
times, min / median / max:
- inventory_load_sources() and inventory_to_json() in the library
  (inventory_tree_bench --tree, RUNS runs);
- the whole `inventory_dump TREE/hosts.yml` process, JSON written (RUNS runs);
- the whole `ansible-inventory -i TREE/hosts.yml --list` process
  (ANSIBLE_RUNS runs).
Both outputs must be the same JSON (exit 1 otherwise). The load average is
printed before and after. Exit 77 when ansible-inventory is not installed.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ANSIBLE_INVENTORY = '/usr/bin/ansible-inventory'


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def timed(argv, env=None):
    t0 = time.monotonic()
    out = subprocess.run(argv, capture_output=True, check=True, env=env).stdout
    return (time.monotonic() - t0) * 1000, out


def line(what, ms):
    print('%-44s min %9.1f ms   median %9.1f ms   max %9.1f ms   (%d runs)'
          % (what, min(ms), statistics.median(ms), max(ms), len(ms)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--hosts', type=int, default=10000)
    ap.add_argument('--runs', type=int, default=9)
    ap.add_argument('--ansible-runs', type=int, default=3)
    ap.add_argument('--keep', help='write the tree here and keep it')
    args = ap.parse_args()
    if not os.access(ANSIBLE_INVENTORY, os.X_OK):
        print('%s is not installed: skipped' % ANSIBLE_INVENTORY)
        return 77
    bench = os.path.join(args.build, 'tests/bench/inventory_tree_bench')
    dump = os.path.join(args.build, 'tests/inventory/inventory_dump')
    tree = args.keep or tempfile.mkdtemp(prefix='orch-tree-')
    source = os.path.join(tree, 'hosts.yml')
    # no ansible.cfg of the caller's may change what Ansible reads
    cfg = tempfile.NamedTemporaryFile(suffix='.cfg', delete=False)
    cfg.close()
    env = dict(os.environ, ANSIBLE_CONFIG=cfg.name)
    try:
        subprocess.run([bench, str(args.hosts), '1', '--write', tree], check=True, stdout=subprocess.DEVNULL)
        print('tree: %s (%d hosts), %d CPUs, load average before: %s'
              % (tree, args.hosts, os.cpu_count(), loadavg()))
        lib = subprocess.run([bench, str(args.hosts), str(args.runs), '--tree', tree], check=True,
                             capture_output=True, text=True).stdout
        for text in lib.splitlines():
            if text.startswith('inventory_'):
                print('library: ' + text)
        orch_ms, orch_out = [], None
        for _ in range(args.runs):
            ms, orch_out = timed([dump, source])
            orch_ms.append(ms)
        line('orch: inventory_dump TREE/hosts.yml', orch_ms)
        ansible_ms, ansible_out = [], None
        for _ in range(args.ansible_runs):
            ms, ansible_out = timed([ANSIBLE_INVENTORY, '-i', source, '--list'], env=env)
            ansible_ms.append(ms)
        line('ansible-inventory -i TREE/hosts.yml --list', ansible_ms)
        print('load average after: %s' % loadavg())
        if json.loads(orch_out) != json.loads(ansible_out):
            print('the outputs differ')
            return 1
        print('the outputs are the same JSON')
        return 0
    finally:
        os.unlink(cfg.name)
        if not args.keep:
            shutil.rmtree(tree)


if __name__ == '__main__':
    sys.exit(main())
