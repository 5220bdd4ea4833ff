#!/usr/bin/python3
# ctest: NAME random_trees_read_as_ansible_reads_them
# ctest: ARGS $<TARGET_FILE:inventory_dump> --seed 1 --count 200
# ctest: SKIP_RETURN_CODE 77
# ctest: TIMEOUT 600
"""Random inventory trees, read by orch and by ansible-core, must mean the same.

Usage: compare_trees.py INVENTORY_DUMP [--seed N] [--count N] [--keep DIR] [--json-only]

Each tree holds one to three inventory sources (INI and YAML/JSON files in
every extension the plugins take, directories of them with files Ansible
skips) and group_vars/ and host_vars/ beside them in every form the
host_group_vars plugin reads (NAME, NAME.yml, NAME.yaml, NAME.json, a NAME/
directory of files, hidden and backup files, other extensions), with values
of every type, vars files that are empty, lists or vault-encrypted, and names
of groups and hosts that do not exist. ansible-core reads it in this process
as `ansible-inventory -i S1 -i S2 ... --list` does (InventoryCLI, with
INVENTORY_ANY_UNPARSED_IS_FAILED: orch refuses a file no plugin reads, where
Ansible would only warn); orch's answer comes from INVENTORY_DUMP. Both must
accept or both reject a tree; accepted trees must give the same JSON, types
included. Exits 77 when ansible-core cannot be imported.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

_cfg = tempfile.NamedTemporaryFile(suffix='.cfg', delete=False)
_cfg.close()
os.environ['ANSIBLE_CONFIG'] = _cfg.name
os.environ['ANSIBLE_LOCALHOST_WARNING'] = 'False'
try:
    import yaml
    from ansible.cli.inventory import InventoryCLI
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.utils.display import Display
    from ansible.vars.manager import VariableManager
except ImportError:
    print('ansible-core is not importable: skipped')
    sys.exit(77)

GROUPS = ['web', 'db', 'pve', 'g1', 'all', 'ungrouped', 'h1', 'child']
# children are drawn from these, whose loops are rarer
CHILDREN = ['child', 'sub', 'sub', 'pve', 'ungrouped', 'web']
HOSTS = ['h1', 'h2', 'db', 'n[1:3]', 'n[01:02]', 'h1:2222', '10.0.0.[1:2]', 'x.example.com']
HOST_NAMES = ['h1', 'h2', 'db', 'n1', 'n2', 'n3', 'n01', '10.0.0.1', 'x.example.com', 'ghost']
KEYS = ['a', 'b', 'c', 'x', 'ansible_port', 'ansible_host', 'inventory_file', 'my-var', '1bad']
VAULT = '$ANSIBLE_VAULT;1.1;AES256\n6162636465666768\n'


class Generator:
    def __init__(self, seed, json_only):
        self.r = random.Random(seed)
        self.json_only = json_only

    def scalar(self):
        r = self.r
        return r.choice([1, 0, -7, 1.5, 2.0, True, False, None, 'text', '', 'yes', '22', 'a b', 'é', "it's",
                         1e20])

    def value(self, depth=0):
        r = self.r
        k = r.random()
        if depth < 2 and k < 0.12:
            return [self.value(depth + 1) for _ in range(r.randint(0, 3))]
        if depth < 2 and k < 0.22:
            return {r.choice(KEYS): self.value(depth + 1) for _ in range(r.randint(0, 3))}
        return self.scalar()

    def variables(self, n=None):
        r = self.r
        return {r.choice(KEYS): self.value() for _ in range(r.randint(0, 4) if n is None else n)}

    def dump(self, data):
        """JSON, or YAML in block or flow style (JSON is YAML too)."""
        r = self.r
        if self.json_only or r.random() < 0.4:
            return json.dumps(data, indent=r.choice([None, 2]))
        return yaml.safe_dump(data, default_flow_style=r.choice([False, None]), allow_unicode=True, sort_keys=False)

    def yaml_group(self, depth):
        r = self.r
        g = {}
        if r.random() < 0.7:
            hosts = {}
            for _ in range(r.randint(0, 3)):
                # a name YAML reads as an int or a bool: the yaml plugin fails
                name = r.choice(HOSTS) if r.random() < 0.97 else r.choice([5, True, 1.5])
                hosts[name] = self.variables() if r.random() < 0.5 else None
            g['hosts'] = hosts if r.random() < 0.95 else r.choice(HOSTS)
        if r.random() < 0.5:
            g['vars'] = self.variables() if r.random() < 0.95 else r.choice(['v', [1, 2]])
        if depth < 2 and r.random() < 0.4:
            g['children'] = {r.choice(CHILDREN[depth * 2:]): self.yaml_group(depth + 1) if r.random() < 0.8 else None
                             for _ in range(r.randint(1, 2))}
        if r.random() < 0.05:
            g[r.choice(['host', 'var', 'x'])] = r.choice([{}, 'oops', 1])
        if r.random() < 0.03:
            g['vars'] = {'ansible_group_priority': r.choice([5, '3', 'x'])}
        return g if r.random() < 0.95 else r.choice([None, 'notagroup'])

    def yaml_inventory(self):
        r = self.r
        k = r.random()
        if k < 0.03:
            return r.choice(['', '[1, 2]', '{"plugin": "constructed"}', '{}'])
        data = {r.choice(GROUPS[:5]): self.yaml_group(0) for _ in range(r.randint(1, 3))}
        return self.dump(data)

    def ini_inventory(self):
        r = self.r
        lines = []
        declared = []
        for _ in range(r.randint(1, 4)):
            g = r.choice(GROUPS)
            kind = r.choice(['', '', ':vars', ':children'])
            if kind and (not declared or r.random() < 0.9):
                g = r.choice(declared or ['all'])
            declared.append(g)
            lines.append('[%s%s]' % (g, kind))
            for _ in range(r.randint(0, 3)):
                if kind == ':vars':
                    lines.append('%s=%s' % (r.choice(KEYS[:6]), r.choice(['1', 'x', 'True', '[1, 2]', '"q"'])))
                elif kind == ':children':
                    lines.append(r.choice(declared + CHILDREN[4:]))
                else:
                    lines.append('%s %s' % (r.choice(HOSTS), ' '.join(
                        '%s=%s' % (r.choice(KEYS[:6]), r.choice(['1', 'v', '2.5'])) for _ in range(r.randint(0, 2)))))
        return '\n'.join(lines) + '\n'

    def write(self, path, text):
        # a name drawn twice as a file and as a directory: the first stays
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            pass

    def vars_text(self):
        r = self.r
        k = r.random()
        if k < 0.04:
            return r.choice(['', '[]', '0', '{}', '# only a comment\n' if not self.json_only else '  \n'])
        if k < 0.06:
            return r.choice(['[1]', '"str"'])
        if k < 0.07:
            return VAULT
        return self.dump(self.variables(r.randint(1, 4)))

    def vars_dir(self, base, names):
        r = self.r
        for _ in range(r.randint(0, 4)):
            name = r.choice(names)
            form = r.choice(['', '.yml', '.yaml', '.json', '/', '/', 'both'])
            if form == '/':
                for _ in range(r.randint(0, 3)):
                    f = r.choice(['a.yml', 'b.json', 'c', 'd.txt', '.h.yml', 'e.yml~', 'sub/f.yaml', 'x.d/g.yml',
                                  'z.yaml'])
                    self.write(os.path.join(base, name, f), self.vars_text())
            elif form == 'both':
                self.write(os.path.join(base, name), self.vars_text())
                self.write(os.path.join(base, name + '.yml'), self.vars_text())
            else:
                p = os.path.join(base, name + form)
                if not os.path.isdir(p):
                    self.write(p, self.vars_text())

    def inventory_file(self, path_noext, in_dir=False):
        r = self.r
        if r.random() < (0.15 if in_dir else 0.4):
            ext = r.choice(['.ini', '', '.cfg'])
            text = self.ini_inventory()
        else:
            ext = r.choice(['.yml', '.yaml', '.json', ''])
            text = self.yaml_inventory()
        if r.random() < 0.01:
            text = VAULT
        self.write(path_noext + ext, text)
        return path_noext + ext

    def tree(self, root):
        r = self.r
        sources = []
        for i in range(r.randint(1, 3)):
            k = r.random()
            base = os.path.join(root, r.choice(['', 'inv%d' % i, 'inv0']))
            if k < 0.6:
                sources.append(self.inventory_file(os.path.join(base, 'hosts%d' % i)))
            else:
                d = os.path.join(base, 'dir%d' % i)
                os.makedirs(d, exist_ok=True)
                for j in range(r.randint(1, 3)):
                    sub = r.choice(['', '', 'sub'])
                    self.inventory_file(os.path.join(d, sub, 'f%d' % j), in_dir=True)
                if r.random() < 0.2:
                    self.write(os.path.join(d, r.choice(['README.md', 'old.bak', 'x.retry', '.hidden'])), 'junk\n')
                if r.random() < 0.1:
                    self.write(os.path.join(d, 'sub', 'group_vars', 'all.yml'), '{"nested": 1}\n')
                sources.append(d)
        for s in set(sources):
            base = s if os.path.isdir(s) else os.path.dirname(s)
            if r.random() < 0.8:
                self.vars_dir(os.path.join(base, 'group_vars'), GROUPS + ['nogroup'])
            if r.random() < 0.6:
                self.vars_dir(os.path.join(base, 'host_vars'), HOST_NAMES)
        return sources


WARNINGS = []


def ansible_read(cli, sources):
    loader = DataLoader()
    del WARNINGS[:]
    try:
        cli.loader = loader
        cli.inventory = InventoryManager(loader=loader, sources=sources)
        cli.vm = VariableManager(loader=loader, inventory=cli.inventory)
        out = cli.json_inventory(cli._get_group('all'))
        return 'ok', json.loads(cli.dump(out))
    except Exception as e:
        return 'error', str(e)


def orch_read(dump, sources):
    p = subprocess.run([dump] + sources, capture_output=True)
    if p.returncode == 0:
        return 'ok', json.loads(p.stdout)
    return 'error', p.stderr.decode(errors='replace').strip()


# orch refuses these on purpose, where Ansible reads something (messages of
# inventory/sources.c and inventory.c)
ORCH_REFUSALS = ['changes from run to run', 'orch cannot run inventory plugins']


def refused_by_orch(result, sources):
    """orch refuses, where Ansible warns and goes on, a file no plugin reads
    and a source read as nothing; and refuses what it cannot evaluate."""
    if result[0] != 'error':
        return False
    if any(m in result[1] for m in ORCH_REFUSALS):
        return True
    for w in WARNINGS:
        if w.startswith('Unable to parse ') and w.endswith(' as an inventory source'):
            path = w[len('Unable to parse '):-len(' as an inventory source')]
            if (os.path.isfile(path) or path in sources) and result[1].startswith(path + ':'):
                return True
    return False


def canonical(result):
    # 1, 1.0 and True are equal in Python: compare the JSON texts
    return result[0], json.dumps(result[1], sort_keys=True) if result[0] == 'ok' else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dump')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=200)
    ap.add_argument('--keep', help='copy the trees that differ here')
    ap.add_argument('--json-only', action='store_true', help='write JSON text in YAML files')
    ap.add_argument('--verbose', action='store_true', help='print why trees are rejected')
    args = ap.parse_args()

    Display().verbosity = 0
    Display.warning = lambda self, msg, *args, **kwargs: WARNINGS.append(msg)
    cli = InventoryCLI(['ansible-inventory', '-i', os.devnull, '--list'])
    cli.parse()
    gen = Generator(args.seed, args.json_only)
    work = tempfile.mkdtemp()
    same = accepted = refused = 0
    failures = 0
    for i in range(args.count):
        root = os.path.join(work, 't%d' % i)
        os.makedirs(root)
        sources = gen.tree(root)
        a = ansible_read(cli, sources)
        o = orch_read(args.dump, sources)
        if canonical(a) == canonical(o):
            same += 1
            accepted += a[0] == 'ok'
            if args.verbose and a[0] == 'error':
                print('both rejected: %s | %s' % (a[1][:150].replace('\n', ' '), o[1][:150]))
        elif a[0] == 'ok' and refused_by_orch(o, sources):
            same += 1
            refused += 1
        else:
            failures += 1
            print('---- tree %d differs: sources %s' % (i, ' '.join(os.path.relpath(s, root) for s in sources)))
            for dirpath, _, files in sorted(os.walk(root)):
                for f in sorted(files):
                    p = os.path.join(dirpath, f)
                    with open(p, errors='replace') as fh:
                        print('  %s: %s' % (os.path.relpath(p, root), fh.read()[:300].replace('\n', '\\n')))
            print('ansible: %s' % json.dumps(a, sort_keys=True)[:1500])
            print('orch:    %s' % json.dumps(o, sort_keys=True)[:1500])
            if args.keep:
                shutil.copytree(root, os.path.join(args.keep, 't%d' % i))
        shutil.rmtree(root)
    shutil.rmtree(work)
    os.unlink(_cfg.name)
    print('%d/%d trees read the same (%d accepted by both, %d refused by orch by design, the rest rejected by both)'
          % (same, args.count, accepted, refused))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
