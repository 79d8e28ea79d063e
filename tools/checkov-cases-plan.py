#!/usr/bin/env python3
"""Makes the fixture root that tools/checkov-cases.py wrote plan offline:
plans it (terraform, the provider mirror in /opt/tf-plugins, a moto_server
of its own on 127.0.0.1), and while terraform refuses it: declares a
resource the cases refer to without declaring it (MODULE/owlet_stubs.tf,
with the arguments terraform requires), gives a block the required
argument it lacks (or the first of the "one of" arguments it asks for) a
placeholder value, and otherwise drops the block terraform names; each
change leaves an owlet: note.  Writes FIXTURE.plan.json when the plan
succeeds.

    tools/checkov-cases-plan.py tests/fixtures/check/checkov
"""
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('cc', os.path.join(here, 'checkov-cases.py'))
cc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cc)
fx = os.path.abspath(sys.argv[1].rstrip('/'))
tmp = tempfile.mkdtemp(prefix='owlet-checkov-cases.')
work = os.path.join(tmp, 'work')
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
moto = subprocess.Popen(['moto_server', '-H', '127.0.0.1', '-p', str(port)], stdout=open(os.path.join(tmp, 'moto.log'), 'w'), stderr=subprocess.STDOUT)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))  # so that the finally stops moto
time.sleep(3)
ep = 'http://127.0.0.1:%d' % port
svcs = 'apigateway apigatewayv2 athena cloudwatch cloudwatchlogs cognitoidp ec2 glue iam kms lambda s3 sqs sts ssoadmin xray sns'.split()
ov = 'provider "aws" {\n access_key="test"\n secret_key="test"\n skip_credentials_validation=true\n skip_metadata_api_check=true\n skip_region_validation=true\n s3_use_path_style=true\n endpoints {\n' + ''.join('  %s = "%s"\n' % (x, ep) for x in svcs) + ' }\n}\n'
env = dict(os.environ, AWS_EC2_METADATA_DISABLED='true', TF_IN_AUTOMATION='1', CHECKPOINT_DISABLE='1')
dropped = []
tried = set()
given = set()
# placeholder values for the arguments terraform requires (by name); a
# string otherwise
PLACEHOLDER = {
    'assume_role_policy': 'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })',
    'policy': 'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::owlet-stub/*" }] })',
    'cidr_block': '"10.0.0.0/16"',
    'role': '"arn:aws:iam::123456789012:role/owlet-stub"',
    'role_arn': '"arn:aws:iam::123456789012:role/owlet-stub"',
    'filename': '"owlet-case.zip"',
    'runtime': '"python3.12"',
    'handler': '"index.handler"',
    'vpc_id': '"vpc-0123456789abcdef0"',
    'subnet_id': '"subnet-0123456789abcdef0"',
    'subnet_ids': '["subnet-0123456789abcdef0"]',
    'security_group_ids': '["sg-0123456789abcdef0"]',
    'ami': '"ami-0123456789abcdef0"',
    'instance_type': '"t3.micro"',
    'engine': '"mysql"',
    'instance_class': '"db.t3.micro"',
    'port': '443',
    'protocol': '"HTTPS"',
    'from_port': '443',
    'to_port': '443',
    'type': '"ingress"',
    'instance_arn': '"arn:aws:sso:::instance/ssoins-0123456789abcdef"',
    'origin_access_control_origin_type': '"s3"',
    'signing_behavior': '"always"',
    'signing_protocol': '"sigv4"',
    'protocol_type': '"HTTP"',
    'engine_type': '"ACTIVEMQ"',
    'engine_version': '"5.17.6"',
    'subnets': '["subnet-0123456789abcdef0"]',
    'domain_name': '"example.com"',
    'validation_method': '"DNS"',
    'bucket': '"owlet-stub"',
    'name': '"owlet-stub"',
}


def give(gives, mod, f, line, arg):
    """Plans `arg = placeholder` after the header of the block holding line
    (applied at the end of the round, with the drops, on the lines terraform
    named).  False when that block was given arg before."""
    p = os.path.join(fx, mod, f)
    txt = open(p).read()
    for st, en, hdr in cc.top_blocks(txt):
        if txt[:st].count('\n') + 1 <= line <= txt[:en].count('\n') + 1:
            if arg in ('handler', 'runtime') and re.search(r'^\s*%s\s*=' % arg, txt[st:en], re.M):
                return False  # written already (terraform asks for handler and runtime together)
            key = (mod, f, hdr.strip(), arg)
            if any(g[:2] == (mod, f) and g[3] == arg and g[4] == hdr.strip() for g in gives):
                return True  # an earlier error of this round asked the same
            if key in given:
                return False
            given.add(key)
            gives.append((mod, f, line, arg, hdr.strip()))
            return True
    return False


try:
    for it in range(25):
        tfdir = os.path.join(work, '.terraform') if os.path.isdir(os.path.join(work, '.terraform')) else None
        if tfdir: shutil.move(tfdir, os.path.join(tmp, '.terraform')); 
        lock = os.path.join(work, '.terraform.lock.hcl')
        if os.path.exists(lock): shutil.move(lock, os.path.join(tmp, 'lock.hcl'))
        shutil.rmtree(work, ignore_errors=True); shutil.copytree(fx, work)
        if os.path.isdir(os.path.join(tmp, '.terraform')): shutil.move(os.path.join(tmp, '.terraform'), os.path.join(work, '.terraform'))
        if os.path.exists(os.path.join(tmp, 'lock.hcl')): shutil.move(os.path.join(tmp, 'lock.hcl'), lock)
        open(os.path.join(work, 'owlet_override.tf'), 'w').write(ov)
        r = subprocess.run(['terraform', 'init', '-input=false', '-no-color', '-plugin-dir=/opt/tf-plugins'], cwd=work, env=env, capture_output=True, text=True)
        out = r.stdout + r.stderr
        if r.returncode == 0:
            r = subprocess.run(['terraform', 'plan', '-input=false', '-no-color', '-out=plan.bin'], cwd=work, env=env, capture_output=True, text=True)
            out = r.stdout + r.stderr
            if r.returncode == 0:
                j = subprocess.run(['terraform', 'show', '-json', 'plan.bin'], cwd=work, env=env, capture_output=True, text=True).stdout
                json.dump(json.loads(j), open(fx + '.plan.json', 'w'), indent=1, sort_keys=True)
                print('PLANNED after', it, 'rounds'); break
        errs = re.findall(r'Error: ([^\n]*)\n(?:.*\n){0,3}?\s*(?:on|with) (?:module\.)?(CKV2?_AWS_\d+)[/.]([^ ,]*?)(?: line (\d+))?[,:\s]', out)
        # simpler: find blocks "Error: X ... on CKV/file line N"
        hits = []
        gives = []
        this_round = set()
        stubbed = False
        for blk in out.split('Error: ')[1:]:
            title = blk.split('\n')[0].strip()
            u = re.search(r'A managed resource "([\w-]+)" "([\w-]+)" has\s+not\s+been\s+declared\s+in\s+module\.(CKV2?_AWS_\d+)', blk)
            if u and (u.group(3), u.group(1), u.group(2)) in this_round:
                continue  # declared by an earlier error of this round
            if u and (u.group(3), u.group(1), u.group(2)) not in tried:
                tried.add((u.group(3), u.group(1), u.group(2)))
                this_round.add((u.group(3), u.group(1), u.group(2)))
                sp = os.path.join(fx, u.group(3), 'owlet_stubs.tf')
                if not os.path.exists(sp):
                    open(sp, 'w').write("# owlet: what checkov's cases refer to without declaring it, declared\n# so that the cases plan offline\n")
                open(sp, 'a').write('resource "%s" "%s" {\n}\n' % (u.group(1), u.group(2)))
                stubbed = True
                continue
            d = re.search(r'A data resource "([\w-]+)" "([\w-]+)" has\s+not\s+been\s+declared\s+in\s+module\.(CKV2?_AWS_\d+)', blk)
            if d:
                key = (d.group(3), 'data', d.group(1), d.group(2))
                if key in this_round:
                    continue
                if key not in tried:
                    this_round.add(key)
                    tried.add(key)
                    pat = re.compile(r'\$\{data\.%s\.%s(?:\.[\w\[\]"*]+)*\}|data\.%s\.%s(?:\.[\w\[\]"*]+)*' % ((re.escape(d.group(1)), re.escape(d.group(2))) * 2))
                    for f in os.listdir(os.path.join(fx, d.group(3))):
                        fp = os.path.join(fx, d.group(3), f)
                        txt = open(fp).read()
                        new_txt = pat.sub(lambda m: ('owlet-case' if m.group(0).startswith('${') else
                                                     '"owlet-case" /* owlet: was %s, undeclared */' % m.group(0)), txt)
                        if new_txt != txt:
                            open(fp, 'w').write(new_txt)
                    stubbed = True
                    continue
            v = re.search(r'An? (input variable|local value) with the name "([\w-]+)" has\s+not\s+been\s+declared', blk)
            vm = re.search(r'on (CKV2?_AWS_\d+)/', blk)
            if v and vm:
                key = (vm.group(1), v.group(1), v.group(2))
                if key in this_round:
                    continue
                if key not in tried:
                    this_round.add(key)
                    tried.add(key)
                    sp = os.path.join(fx, vm.group(1), 'owlet_stubs.tf')
                    if not os.path.exists(sp):
                        open(sp, 'w').write("# owlet: what checkov's cases refer to without declaring it, declared\n# so that the cases plan offline\n")
                    kind = 'variable "%s" {\n  default = "checkov-case"\n}\n' if v.group(1) == 'input variable' else 'locals {\n  %s = "checkov-case"\n}\n'
                    open(sp, 'a').write(kind % v.group(2))
                    stubbed = True
                    continue
            m = re.search(r'on (CKV2?_AWS_\d+)/([\w.-]+\.tf) line (\d+)', blk)
            if m and title.startswith('invalid value for name (cannot begin with sg-)'):
                # a security group's name the provider refuses: renamed, on its own line
                p = os.path.join(fx, m.group(1), m.group(2))
                lines = open(p).read().split('\n')
                i = int(m.group(3)) - 1
                while i < len(lines) and not re.match(r'\s*name\s*=\s*"sg-', lines[i]):
                    i += 1
                if i < len(lines):
                    lines[i] = re.sub(r'"sg-', '"owlet-sg-', lines[i], count=1) + ' # (owlet: "sg-..." is refused by the provider)'
                    open(p, 'w').write('\n'.join(lines))
                    stubbed = True
                    continue
            need = re.search(r'The argument "(\w+)" is required', blk) or re.search(r'one of `(\w+)[^`]*` must\s+be\s+specified', blk)
            if m and need and give(gives, m.group(1), m.group(2), int(m.group(3)), need.group(1)):
                stubbed = True
                continue
            if m and title.startswith('handler and runtime must be set') and \
                    give(gives, m.group(1), m.group(2), int(m.group(3)), 'handler') | \
                    give(gives, m.group(1), m.group(2), int(m.group(3)), 'runtime'):
                stubbed = True
                continue
            m2 = re.search(r'with module\.(CKV2?_AWS_\d+)\.([\w.\[\]"-]+)', blk)
            if m: hits.append((m.group(1), m.group(2), int(m.group(3)), title))
            elif m2:
                # find the resource in the module's files
                mod, addr = m2.group(1), m2.group(2).split('[')[0]
                parts = addr.split('.')
                kind = 'data' if parts[0] == 'data' else 'resource'
                t, n = (parts[1], parts[2]) if kind == 'data' else (parts[0], parts[1])
                for f in os.listdir(os.path.join(fx, mod)):
                    txt = open(os.path.join(fx, mod, f)).read()
                    mm = re.search(r'^%s\s+"%s"\s+"%s"' % (kind, t, n), txt, re.M)
                    if mm: hits.append((mod, f, txt[:mm.start()].count('\n') + 1, title)); break
                else:
                    print('UNPLACED', mod, addr, title)
            else:
                print('UNKNOWN ERROR', blk[:400])
        if not hits and not stubbed: print(out[-3000:]); break
        # every edit of the round on the file as terraform read it, bottom up
        byfile = {}
        for mod, f, line, title in hits:
            byfile.setdefault((mod, f), []).append((line, 'drop', title))
        for mod, f, line, arg, _ in gives:
            byfile.setdefault((mod, f), []).append((line, 'give', arg))
        for (mod, f), edits in byfile.items():
            p = os.path.join(fx, mod, f); txt = open(p).read()
            blocks = {}
            for st, en, hdr in cc.top_blocks(txt):
                for line, kind, what in edits:
                    if txt[:st].count('\n') + 1 <= line <= txt[:en].count('\n') + 1:
                        b = blocks.setdefault((st, en), {'hdr': hdr, 'drop': None, 'give': []})
                        if kind == 'drop' and b['drop'] is None:
                            b['drop'] = what
                        elif kind == 'give' and what not in b['give']:
                            b['give'].append(what)
            for (st, en) in sorted(blocks, reverse=True):
                b = blocks[(st, en)]
                if b['drop'] is not None:
                    dropped.append((mod, b['hdr'].strip(), b['drop']))
                    note = '# (owlet: %s dropped, it does not plan offline: %s)\n' % (b['hdr'].strip().rstrip('{').strip(), b['drop'])
                    txt = txt[:st] + note + txt[en:]
                    continue
                eol = txt.index('\n', st)
                lines = ''.join('  %s = %s # (owlet: given, terraform requires it to plan)\n' % (a, PLACEHOLDER.get(a, '"owlet-stub"')) for a in b['give'])
                txt = txt[:eol + 1] + lines + txt[eol + 1:]
            open(p, 'w').write(txt)
        print('round', it, 'dropped', len(hits))
finally:
    moto.kill()
    moto.wait()
shutil.rmtree(tmp, ignore_errors=True)
print('dropped %d blocks' % len(dropped))
