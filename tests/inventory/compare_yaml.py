#!/usr/bin/python3
# ctest: PREFIX inventory.yaml.
# ctest: NAME data_files_read_as_ansible_reads_them
# ctest: ARGS $<TARGET_FILE:yaml_dump> --seed 1 --count 400
# ctest: SKIP_RETURN_CODE 77
# ctest: TIMEOUT 600
"""Data files, read by orch and by ansible-core, must mean the same.

Usage: compare_yaml.py YAML_DUMP [--seed N] [--count N] [--keep DIR]

The corpus: hand-written corners of YAML 1.1 and JSON as Ansible reads
them, then COUNT documents drawn from a grammar of the same corners (typed
scalars, tags, anchors, merge keys, duplicate and non-string keys, flow and
block styles, JSON with NaN or big numbers), some of them damaged by a
random edit. ansible-core's DataLoader runs in this process and its result
goes through the encoder `ansible-inventory --list` uses; orch's answer
comes from YAML_DUMP. Both must accept or both reject a file; when Ansible
names a line, orch must name the same one; accepted files must give the
same JSON (types included) and the same duplicate-key warnings. What
Ansible reads but JSON cannot hold (NaN, infinities, integers beyond 64
bits) orch must refuse. Exits 77 when ansible-core cannot be imported.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

_cfg = tempfile.NamedTemporaryFile(suffix='.cfg', delete=False)
_cfg.close()
os.environ['ANSIBLE_CONFIG'] = _cfg.name
try:
    import ansible.parsing.yaml.constructor as constructor
    from ansible.parsing.ajson import AnsibleJSONEncoder
    from ansible.parsing.dataloader import DataLoader
except ImportError:
    print('ansible-core is not importable: skipped')
    sys.exit(77)

WARNINGS = []
constructor.display.warning = lambda msg, *args, **kwargs: WARNINGS.append(msg)

INT64 = (-2**63, 2**63 - 1)


def unrepresentable(v, key=False):
    """Why orch must refuse a value, or None: on what a JSON reader gets from
    ansible-inventory's output for values (where two keys print alike, the
    later one), on what Ansible read for keys."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, str):
        return 'a key with a NUL character' if key and '\0' in v else None
    if isinstance(v, int):
        return None if INT64[0] <= v <= INT64[1] else 'integer beyond 64 bits'
    if isinstance(v, float):
        return None if key or (v == v and v not in (float('inf'), float('-inf'))) else 'NaN or infinity'
    if isinstance(v, (list, tuple)):
        return next((r for r in map(unrepresentable, v) if r), None)
    if isinstance(v, dict):
        return next((r for k, x in v.items() for r in (unrepresentable(k, True), unrepresentable(x)) if r), None)
    return None


def bad_keys(v):
    """Keys of what Ansible read that orch refuses."""
    if isinstance(v, (list, tuple)):
        return next((r for r in map(bad_keys, v) if r), None)
    if isinstance(v, dict):
        return next((r for k, x in v.items() for r in (unrepresentable(k, True), bad_keys(x)) if r), None)
    return None


def ansible_read(path):
    """('ok', value, warnings), ('refuse', why), or ('error', message)."""
    WARNINGS.clear()
    try:
        data = DataLoader().load_from_file(path, cache=False, unsafe=True)
        # as a variable's value: json.dumps writes a top-level str without the encoder
        data = {'v': data}
        try:
            text = json.dumps(data, cls=AnsibleJSONEncoder, sort_keys=True, indent=4, preprocess_unsafe=True,
                              ensure_ascii=False)
        except TypeError:
            text = json.dumps(data, cls=AnsibleJSONEncoder, sort_keys=False, indent=4, preprocess_unsafe=True,
                              ensure_ascii=False)
        # what ansible-inventory writes must be text
        text.encode('utf-8')
    except Exception as e:  # Ansible fails on these (some with a traceback)
        return ('error', '%s: %s' % (type(e).__name__, e))
    value = json.loads(text)
    # every value printed, also under a key printed twice (1 and "1")
    printed = json.loads(text, object_pairs_hook=lambda pairs: [x for pair in pairs for x in pair])
    why = unrepresentable(printed) or bad_keys(data)
    if why:
        return ('refuse', why)
    return ('ok', value['v'], list(WARNINGS))


def orch_read_all(dump, paths):
    """yaml_dump's answer for each path: ('ok', value, warnings) or ('error', message)."""
    out = subprocess.run([dump] + paths, capture_output=True, check=True).stdout.decode('utf-8')
    results = []
    for line in out.split('\n'):
        if line.startswith('warning: '):
            msg = line[len('warning: '):]
            if 'as an earlier key of this mapping: a JSON reader takes the later value' in msg:
                continue  # orch's own warning: two keys print alike
            # "FILE:LINE:COL: " then Ansible's text
            results[-1][2].append(msg.split(': ', 1)[1] if ': ' in msg else msg)
        elif line.startswith('error: '):
            results.append(('error', line[len('error: '):], []))
        elif line:
            results.append(('ok', json.loads(line), []))
    if len(results) != len(paths):
        raise SystemExit('yaml_dump gave %d answers for %d files' % (len(results), len(paths)))
    return [r if r[0] == 'ok' else r[:2] for r in results]


def typed(v):
    """The value with each number's type spelled out: 1, 1.0 and True differ."""
    if isinstance(v, bool):
        return ['bool', v]
    if isinstance(v, (int, float)):
        return [type(v).__name__, v]
    if isinstance(v, list):
        return [typed(x) for x in v]
    if isinstance(v, dict):
        return {k: typed(x) for k, x in v.items()}
    return v


def ansible_line(msg):
    m = re.search(r"appears to be in '[^']*': line (\d+), column (\d+)", msg)
    return int(m.group(1)) if m else None


def orch_line(path, msg):
    m = re.match(re.escape(path) + r':(\d+):', msg)
    return int(m.group(1)) if m else None


def agree(path, a, o):
    if a[0] == 'ok':
        return o[0] == 'ok' and typed(a[1]) == typed(o[1]) and a[2] == o[2]
    if o[0] != 'error' or not o[1].startswith(path + ':'):
        return False
    if a[0] == 'error' and ansible_line(a[1]) is not None:
        return ansible_line(a[1]) == orch_line(path, o[1])
    return True


# ---- the corpus ----------------------------------------------------------

CORNERS = [
    # implicit types
    'a: [yes, Yes, YES, no, No, NO, on, On, ON, off, Off, OFF, true, True, TRUE, false, False, FALSE]',
    'a: [y, Y, n, N, yEs, tRUE, oN]',
    'a: [0b101, -0b11, 0b_1, 0777, -017, 08, 0_7, 0x1F, 0xff_ff, -0x10, 1_000, +12, -0, +0, 00]',
    'pci: 82:00\nslot: 1:2:3\nzero: 0:30\nlead: 01:30\nbig: 190:20:30\nneg: -1:30',
    'a: [1e3, 1E3, 1.0e3, 1.0e+3, 1.0E-3, .5, 1., -.5, +1.5, 1_0.5, 1:30.5, 1.e+5, ._5, 1.5e3]',
    'a: [.inf]', 'a: [-.Inf]', 'a: [.NaN]', 'a: [.nan, +.nan]',
    'a: [~, null, Null, NULL, nULL, "", \'\', None, none]',
    'a:\nb: ~\nc:',
    'a: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5, 2001-12-14 21:59:43, '
    '2002-12-14T00:00:00Z, 2001-1-1, 2001-1-1 1:00:00, 2001-12-14 21:59:43.1234567 +01:30]',
    'a: 2001-02-29', 'a: 2000-02-29', 'a: 2001-13-01', 'a: 2001-12-14 25:00:00', 'a: 2001-12-14 10:00:00 +24',
    'a: 2001-12-14 10:00:00 -23:59', 'a: 0000-01-01',
    'a: [<<, =]', 'a: =', '= : x', 'a: "<<"',
    # explicit tags
    'a: [!!str 5, !!str yes, !!int "0x1F", !!int "012", !!int "1:30", !!float "1", !!float "1e3", !!bool "Yes", '
    '!!null "x", !!str ~, !!timestamp "2001-1-1"]',
    'a: !!int foo', 'a: !!int ""', 'a: !!bool y', 'a: !!float nope', 'a: !!timestamp nope',
    'a: !!binary aGVsbG8=', 'a: !!set {x, y}', 'a: !!omap [x: 1, y: 2]', 'a: !!pairs [x: 1, x: 2]',
    'a: !!omap {x: 1}', 'a: !!omap [x]', 'a: !!map [1]', 'a: !!seq {a: 1}', 'a: !!str [1]',
    'a: !!python/dict {x: 1}', 'a: !!python/unicode 5', 'a: !foo bar', 'a: !<tag:yaml.org,2002:str> 5',
    '%TAG !e! tag:yaml.org,2002:\n---\na: !e!int "7"',
    'a: ! 5', 'a: ! "5"', 'a: ! "yes"', "a: ! '~'", 'a: !!int 99999999999999999999',
    'a: 9223372036854775807', 'a: -9223372036854775808', 'a: 9223372036854775808', 'a: 0x8000000000000000',
    # Ansible's tags
    'a: !unsafe "{{ foo }}"', 'a: !unsafe 5', 'a: !unsafe [x, 1, [y], {k: v}]', 'a: !unsafe {k: v, n: [1]}',
    'x: &a {b: 1}\ny: !unsafe [*a]', 'a: !unsafe', 'a: !unsafe ~',
    'a: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3132\n', 'a: !vault-encrypted xyz', 'a: !vault [x]',
    'a: !vault', '!vault x: 1',
    # anchors, aliases, merge keys
    'base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3',
    'a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  z: 3',
    'a: &a {x: 1}\nb: &b {x: 2}\nc:\n  <<: [*a, *b]',
    'a: &a {x: 1}\nb: {<<: *a, <<: {x: 2}}',
    'a: &a [1, 2]\nb: {<<: *a}', 'a: {<<: 1}', 'a: &a {x: 1}\nb: {<<: [*a, 1]}',
    'a: &x 1\nb: &x 2', 'a: *nope', 'a: &a [*a]', 'a: &a {b: *a}', '&a {<<: *a}',
    'a: &a 1\nb: *a\nc: [*a, *a]',
    # keys
    'a: 1\nb: 2\na: 3', '{a: 1, a: 1}', 'a:\n  b: 1\n  b: 2\n  c: 3\n  c: 4',
    '{1: a, true: b}', '{1: a, "1": b}', '{1: a, 1.0: b}', '{0: a, false: b, 0.0: c}',
    '{null: a, ~: b}', '{1.5: a, .inf: b, -.inf: c, 1e3: d}', '{2001-01-01: a}', '{[a]: b}', '{{a: 1}: b}',
    '? [a, b]\n: c', '? a\n? b', '{? a}', '{1: a, 2: b, 0x10: c, 010: d}', '{yes: a, no: b, on: c}',
    '{100000000000000000000: a}', '{1.0e+20: a, 0.0001: b, 1.0e-5: c, 123456789.125: d}',
    '{"a\\0b": 1}', '{"\\u00e9": 1, "\\xe9": 2}',
    # documents
    '', '---', '--- \n...', '# only a comment', '--- 1\n--- 2', '---\na: 1\n...\n---\nb: 2', 'a: 1\n---',
    '--- |\n  text\n', '"just a string"', '- a\n- b', 'plain', '42',
    '\ufeffa: 1', 'a: 1\n\ufeff', '\ufeff{"a": 1}',
    # tabs, control characters, odd whitespace
    'a:\n\tb: 1', 'a:\tb', 'a: [1,\t2]', 'a: "x\ty"', 'a: x\x01', 'a: "\\x01"', 'a: "\\N\\_\\L\\P"',
    'a: "\\ud800"', 'a: "\\U0001F600"', 'a: x\r\nb: y\r\n', 'a: x\rb: y', 'a: \u2028', 'a: \x85',
    'a: "x\x7f"', '{"a": "x\x7f"}', 'a: b\nc',
    # multi-line scalars
    'a: |\n  x\n  y\n', 'a: >\n  x\n  y\n\n  z\n', 'a: |-\n  x\n', 'a: |+\n  x\n\n', 'a: x\n  y\n\n  z',
    # JSON first
    '{"a": 1, "a": 2}', '{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '[NaN, oops', '{"a": NaN} # c',
    '{"a": 1e400}', '{"a": 1e3}', '{"a": 1E+3, "b": -0, "c": -0.0, "d": 0.1}', '{"a": 1.}', '{"a": 01}',
    '{"a": 99999999999999999999}', '{"a": "\\ud800"}', '{"a": "\\ud83d\\ude00"}', '{"a": "\\u0000"}',
    '{"a": "\\/"}', '{"a":1}', '{"a" : [1,2,]}', "{'a': 1}", '{"a": yes}', '{"a": "x"}\n\n',
    ' \t\r\n{"a": 1}', '{"__ansible_vault": "abc", "other": 1}', '{"x": {"__ansible_vault": "abc"}}',
    '{"__ansible_unsafe": [1, "x", {"__ansible_unsafe": "y"}], "z": 2}', '{"a": {"__ansible_unsafe": "b"}}',
    '{"__ansible_unsafe": {"k": "v"}}', '"\\ud800"', 'NaN', '-Infinity', '5', '"x"', 'null', '1.5e-400',
    '{"a": {"b": {"c": [1, {"d": null}]}}}', '{"a":"\\u00e9","b":"é"}',
    # things Ansible refuses
    '$ANSIBLE_VAULT;1.1;AES256\n3132', 'a: [1, 2', 'a: b: c', 'a: "x', '- a\nb: c', 'a: @x', 'a: `x`',
    'a: 1\n b: 2', '{a: 1', '[a, b', 'a: - b', 'a: &', 'a: *', 'a: !', 'key with: colon: x',
]

# bytes that are not UTF-8
RAW_CORNERS = [b'a: \xff\n', b'a: "\xc3"\n', b'{"a": "\xed\xa0\x80"}', b'\xff\xfea\x00:\x00 \x001\x00',
               b'a: \xf0\x9f\x98\x80\n', b'a: \xc3\xa9\n']

SCALARS = ['yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'False', '~', 'null', 'Null', '', '0', '-0', '007', '08',
           '0o17', '0b1010', '0x1F', '0x_F', '1_000', '+42', '-17', '82:00', '1:30', '01:30', '1:2:3', '3:60',
           '1e3', '1.0e3', '1.0e+3', '1.5E-2', '.5', '5.', '1_0.5', '1:30.5', '.inf', '-.INF', '.nan', '.NaN',
           '2001-12-14', '2001-1-1', '2001-12-14 21:59:43', '2001-12-14t21:59:43.10-05:00', '2001-02-30',
           '2001-12-14 21:59:43 Z', 'plain text', 'a b c', 'x#y', 'x #comment', '"quoted yes"', "'07'",
           '"\\t\\u00e9\\x41"', "'it''s'", '"\\ud800"', '<<', '=', 'é', '9223372036854775807',
           '-9223372036854775809', '100000000000000000000', '0:0', '1__2', '_1', '1_', '+.inf', '-.nan',
           '"{{ var }}"', '0.', '-.5e+3', '1e+3', '12e03', 'True', 'TRUE', 'tRue', 'NULL', 'nULL']
TAGS = ['!!str', '!!int', '!!float', '!!bool', '!!null', '!!timestamp', '!unsafe', '!vault', '!', '!!binary',
        '!!map', '!!seq', '!foo', '!vault-encrypted', '!!merge']
KEYS = ['a', 'b', 'c', 'a', '1', '1.0', 'true', 'yes', '~', 'null', '"1"', '<<', '=', '0x10', '2001-01-01',
        '.inf', '"a"', "'b'", 'k k', '"é"', '010', '8']


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.anchors = []

    def scalar(self):
        r = self.r
        s = r.choice(SCALARS)
        if r.random() < 0.15:
            tag = r.choice(TAGS)
            if tag == '!vault' and r.random() < 0.7:
                s = '"$ANSIBLE_VAULT;1.1;AES256\\n3132"'
            s = tag + ' ' + s
        return s

    def anchor(self):
        if self.r.random() < 0.15:
            name = 'a%d' % len(self.anchors)
            self.anchors.append(name)
            return '&%s ' % name
        return ''

    def alias(self):
        if self.anchors and self.r.random() < 0.12:
            return '*' + self.r.choice(self.anchors)
        return None

    def key(self):
        r = self.r
        if self.anchors and r.random() < 0.03:
            return '*' + r.choice(self.anchors) + ' '
        return r.choice(KEYS)

    def flow(self, depth):
        r = self.r
        a = self.alias()
        if a:
            return a
        if depth > 2 or r.random() < 0.6:
            return self.anchor() + self.scalar()
        if r.random() < 0.5:
            return self.anchor() + '[' + ', '.join(self.flow(depth + 1) for _ in range(r.randint(0, 3))) + ']'
        return self.anchor() + '{' + ', '.join('%s: %s' % (self.key(), self.flow(depth + 1))
                                               for _ in range(r.randint(0, 3))) + '}'

    def block(self, indent, depth):
        """Lines of a block collection at INDENT."""
        r = self.r
        pad = ' ' * indent
        lines = []
        if r.random() < 0.5:
            for _ in range(r.randint(1, 4)):
                key = self.key()
                if r.random() < 0.1 and self.anchors:
                    lines.append('%s<<: %s' % (pad, '*' + r.choice(self.anchors) if r.random() < 0.7 else
                                               '[' + ', '.join('*' + a for a in r.sample(
                                                   self.anchors, min(2, len(self.anchors)))) + ']'))
                elif depth < 3 and r.random() < 0.35:
                    lines.append('%s%s: %s' % (pad, key, self.anchor().strip()))
                    lines.extend(self.block(indent + 2, depth + 1))
                elif r.random() < 0.08:
                    lines.append('%s%s: |\n%s  line one\n%s  line two' % (pad, key, pad, pad))
                else:
                    lines.append('%s%s: %s' % (pad, key, self.flow(depth + 1)))
        else:
            for _ in range(r.randint(1, 4)):
                if depth < 3 and r.random() < 0.3:
                    sub = self.block(indent + 2, depth + 1)
                    lines.append('%s- %s' % (pad, sub[0].lstrip()))
                    lines.extend(sub[1:])
                else:
                    lines.append('%s- %s' % (pad, self.flow(depth + 1)))
        return lines

    def json_value(self, depth):
        r = self.r
        x = r.random()
        if depth > 2 or x < 0.5:
            return r.choice(['1', '-0', '0.5', '1e3', '1E+400', '-1.5e-3', '99999999999999999999', 'NaN',
                             'Infinity', 'true', 'false', 'null', '"s"', '"\\u00e9"', '"\\ud800"', '"yes"',
                             '"\\n\\t\\/"', '9223372036854775807', '"\\ud83d\\ude00"', '01', '.5', "'x'"])
        if x < 0.75:
            return '[' + ', '.join(self.json_value(depth + 1) for _ in range(r.randint(0, 3))) + ']'
        keys = ['"a"', '"b"', '"a"', '"__ansible_unsafe"', '"__ansible_vault"', '"1"', '""']
        pairs = []
        for _ in range(r.randint(0, 3)):
            key = r.choice(keys)
            # a vault's ciphertext that is a list or dict prints as its Python repr: orch refuses it
            pairs.append('%s: %s' % (key, self.json_value(3 if key == '"__ansible_vault"' else depth + 1)))
        return '{' + ', '.join(pairs) + '}'

    def document(self):
        r = self.r
        self.anchors = []
        if r.random() < 0.2:
            text = self.json_value(0)
        else:
            text = '\n'.join(self.block(0, 0)) + '\n'
            if r.random() < 0.1:
                text = '---\n' + text
        if r.random() < 0.2:
            # one random edit: most give syntax errors, some change the meaning
            pos = r.randrange(len(text) + 1)
            edit = r.choice(['del', 'ins', 'ins', 'dup'])
            if edit == 'del' and text:
                text = text[:pos] + text[pos + 1:]
            elif edit == 'dup':
                text = text[:pos] + text[pos:pos + 8] + text[pos:]
            else:
                text = text[:pos] + r.choice(':-?[]{},&*!|>\'"%@`#\t\n ~\ufeff') + text[pos:]
        return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dump')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=400)
    ap.add_argument('--keep', help='write the documents that differ here')
    args = ap.parse_args()

    gen = Generator(args.seed)
    docs = [c.encode('utf-8') for c in CORNERS] + RAW_CORNERS
    docs += [gen.document().encode('utf-8') for _ in range(args.count)]
    work = tempfile.mkdtemp()
    paths = []
    for i, data in enumerate(docs):
        paths.append(os.path.join(work, 'd%d.yml' % i))
        with open(paths[-1], 'wb') as f:
            f.write(data)
    answers = []
    for i in range(0, len(paths), 200):
        answers += orch_read_all(args.dump, paths[i:i + 200])
    counts = {'ok': 0, 'refuse': 0, 'error': 0}
    failures = 0
    for path, data, o in zip(paths, docs, answers):
        a = ansible_read(path)
        if agree(path, a, o):
            counts[a[0]] += 1
        else:
            failures += 1
            print('---- %s differs:\n%r' % (os.path.basename(path), data))
            print('ansible: %s' % json.dumps(a, sort_keys=True, ensure_ascii=False)[:2000])
            print('orch:    %s' % json.dumps(o, sort_keys=True, ensure_ascii=False)[:2000])
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                with open(os.path.join(args.keep, os.path.basename(path)), 'wb') as f:
                    f.write(data)
        os.unlink(path)
    os.rmdir(work)
    os.unlink(_cfg.name)
    print('%d/%d documents read the same: %d accepted by both, %d refused by orch as JSON cannot hold them, '
          '%d rejected by both' % (len(docs) - failures, len(docs), counts['ok'], counts['refuse'], counts['error']))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
