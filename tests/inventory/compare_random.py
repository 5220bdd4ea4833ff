#!/usr/bin/python3
# ctest: NAME random_inventories_read_as_ansible_reads_them
# ctest: ARGS $<TARGET_FILE:inventory_dump> --seed 1 --count 300
# ctest: SKIP_RETURN_CODE 77
# ctest: TIMEOUT 600
"""Random inventories, read by orch and by ansible-core, must mean the same.

Usage: compare_random.py INVENTORY_DUMP [--seed N] [--count N] [--keep DIR]

Each inventory is drawn from a grammar of the INI syntax's corners (ranges,
ports, quoting, comments, typed values, children declared early or never,
bad sections). ansible-core's ini plugin and InventoryData run in this
process; orch's answer comes from INVENTORY_DUMP. Both must accept or both
reject a file; when Ansible names the failing line, orch must name the same
one; accepted files must give the same `ansible-inventory --list` JSON.
Exits 77 when ansible-core cannot be imported (tests/deps.sh installs it).
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

# no ansible.cfg of the caller's may change what Ansible does
_cfg = tempfile.NamedTemporaryFile(suffix='.cfg', delete=False)
_cfg.close()
os.environ['ANSIBLE_CONFIG'] = _cfg.name
os.environ['ANSIBLE_INVENTORY_ENABLED'] = 'ini'
os.environ['ANSIBLE_LOCALHOST_WARNING'] = 'False'
try:
    from ansible.cli.inventory import InventoryCLI
    from ansible.inventory.data import InventoryData
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import inventory_loader
    from ansible.utils.display import Display
    from ansible.vars.manager import VariableManager
except ImportError:
    print('ansible-core is not importable: skipped')
    sys.exit(77)

GROUPS = ['web', 'db', 'all', 'ungrouped', 'g1', 'g-2', 'a#b', 'x', 'h1', 'node', 'pve8']
HOSTS = ['h1', 'h2', 'web', 'node[01:03]', 'node[1:5:2]', 'n[a:c]', 'n[x:z:2]', 'h1:22', '[::1]:2222',
         '10.0.0.[1:3]', 'h[1:2][a:b]', 'x.example.com:0022', 'db', "'quoted host'", 'h\\ 1', 'n[3:1]',
         'n[01:10:3]', 'n[0:2]-x', '"h#1"', 'n[09:11]', 'host-_', 'a.b_', '[h:80]:22', '1.2.3.4:5', 'all',
         'ungrouped', 'g1', 'x', 'fe80::1', '[fe80::1%eth0]:22', 'h[A:c]', 'n[-1:1]', 'n[05:01:-2]', 'n[:2]',
         'n[1:3:-1]', 'z[ab:cd]', 'n[ 1:2]', 'caf\u00e9', 'localhost']
BAD_HOSTS = ['n[b:a]', 'n[1:3:x]', '---', 'h:', 'n[1]', 'n[1:2', 'n]1:2[', 'n[01:5]', 'n[1:5:0]', '""',
             'a|b[1:2]']
VALUES = ['1', '0x10', '01', '1.5', 'True', 'yes', 'None', '"a b"', "'x'", '[1,2]', '{"a": 1}', '"{1: 2}"',
          '-5', '--5', '"\'03#pa\'"', '1e3', '"(1,)"', "''", '', 'a=b', '"1, 2"', '"  7"', '"\\"q\\""',
          "'[1, [2, {\"k\": None}]]'", '0o17', '1_000', '"b\'xy\'"', '"\'\\\\x41\\\\u00e9\'"', 'foo#bar',
          '"-(1)"', '"+1.5"', '.5', '5.', '"{1.5: 2, True: 3}"', '"{1: \'a\', True: \'b\'}"', '0_0', '1__0',
          '"\'a\' \'b\'"', 'r"x"', "\"u'x'\"", "'f\"x\"'", '07.5', '1j', '"[1,]"', '"(,)"', '"{}"', '"()"',
          '"not a"', '"1 # c"', '9223372036854775807', '-9223372036854775808']
KEYS = ['a', 'b', 'ansible_port', 'ansible_host', 'x', 'ansible_group_priority', 'inventory_file', 'groups',
        'y_1', '']


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.state = 'hosts'

    def host_line(self):
        r = self.r
        parts = [r.choice(HOSTS) if r.random() < 0.97 else r.choice(BAD_HOSTS)]
        for _ in range(r.randint(0, 3)):
            v = r.choice(VALUES)
            if ' ' in v and r.random() < 0.95:
                v = "'" + v.replace("'", '') + "'"
            parts.append('%s=%s' % (r.choice(KEYS[:-1]), v))
        if r.random() < 0.02:
            parts.append(r.choice(['# comment', 'novalue', '"unterminated', '\\']))
        elif r.random() < 0.1:
            parts.append('# comment x=1')
        return r.choice(['', ' ', '\t']) + ' '.join(parts)

    def line(self):
        r = self.r
        k = r.random()
        if k < 0.15:
            tag = r.choice(['', '', ':vars', ':children', ':children', ':hosts', ':foo' if r.random() < 0.1 else ''])
            self.state = {':vars': 'vars', ':children': 'children'}.get(tag, 'hosts')
            return '[%s%s]%s' % (r.choice(GROUPS), tag, r.choice(['', '', ' # c', ' ']))
        if k < 0.2:
            if r.random() < 0.1:
                return r.choice(['[ a ]', 'web # c', '[web] # c', '[web] ; c', '[a:b:c]'])
            return r.choice(['# c', '; c', '', ' \t ', '#\xe9'])
        if r.random() < 0.03:
            self.state = r.choice(['hosts', 'vars', 'children'])
        if self.state == 'children':
            return r.choice(GROUPS) + r.choice(['', '', '', ' # c', ' # c', ' x', '#c', ' ;c'])
        if self.state == 'vars':
            return '%s%s%s' % (r.choice(KEYS), r.choice(['=', ' = ', '=', '\t=']), r.choice(VALUES))
        return self.host_line()

    def inventory(self):
        self.state = 'hosts'
        lines = [self.line() for _ in range(self.r.randint(1, 14))]
        return '\n'.join(lines) + self.r.choice(['\n', '', '\r\n'])


def ansible_read(cli, path):
    try:
        data = InventoryData()
        inventory_loader.get('ini').parse(data, DataLoader(), path)
        data.reconcile_inventory()
    except Exception as e:  # every failure of the plugin is a rejected file
        return 'error', str(e)
    loader = DataLoader()
    cli.loader = loader
    cli.inventory = InventoryManager(loader=loader, sources=[path])
    cli.vm = VariableManager(loader=loader, inventory=cli.inventory)
    try:
        out = cli.json_inventory(cli._get_group('all'))
        # ansible-inventory itself fails on values JSON cannot hold (complex, set)
        return 'ok', json.loads(json.dumps(out))
    except (TypeError, ValueError) as e:
        return 'unprintable', str(e)


def orch_read(dump, path):
    p = subprocess.run([dump, path], capture_output=True)
    if p.returncode == 0:
        return 'ok', json.loads(p.stdout)
    return 'error', p.stderr.decode(errors='replace').strip()


def line_of(msg):
    m = re.search(r'\.ini:(\d+):', msg)
    return m.group(1) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dump')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=300)
    ap.add_argument('--keep', help='write the inventories that differ here')
    args = ap.parse_args()

    Display().verbosity = 0
    cli = InventoryCLI(['ansible-inventory', '-i', os.devnull, '--list'])
    cli.parse()
    gen = Generator(args.seed)
    work = tempfile.mkdtemp()
    same = accepted = 0
    failures = []
    for i in range(args.count):
        text = gen.inventory()
        path = os.path.join(work, 'inv%d.ini' % i)
        with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write(text)
        a = ansible_read(cli, path)
        o = orch_read(args.dump, path)
        os.unlink(path)
        if a[0] == 'unprintable':
            same += 1
            continue
        if a[0] == o[0] == 'error':
            ok = line_of(a[1]) is None or line_of(a[1]) == line_of(o[1])
        else:
            ok = a == o
        if ok:
            same += 1
            accepted += a[0] == 'ok'
            continue
        failures.append(i)
        print('---- inventory %d differs:\n%s' % (i, text))
        print('ansible: %s' % json.dumps(a, sort_keys=True)[:2000])
        print('orch:    %s' % json.dumps(o, sort_keys=True)[:2000])
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            with open(os.path.join(args.keep, 'inv%d.ini' % i), 'w') as f:
                f.write(text)
    os.rmdir(work)
    os.unlink(_cfg.name)
    print('%d/%d inventories read the same (%d accepted by both, the rest rejected by both)'
          % (same, args.count, accepted))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
