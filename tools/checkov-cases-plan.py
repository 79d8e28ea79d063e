#!/usr/bin/env python3
"""Makes the fixture root that tools/checkov-cases.py wrote plan offline:
plans it (terraform, the provider mirror in /opt/tf-plugins, a moto_server
of its own on 127.0.0.1), and while terraform refuses it, declares empty a
resource the cases refer to without declaring it (MODULE/owlet_stubs.tf)
or drops the block terraform names, leaving an owlet: note in its place.
Writes FIXTURE.plan.json when the plan succeeds.

    tools/checkov-cases-plan.py tests/fixtures/check/checkov
"""
import importlib.util
import json
import os
import re
import shutil
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
time.sleep(3)
ep = 'http://127.0.0.1:%d' % port
svcs = 'apigateway apigatewayv2 athena cloudwatch cloudwatchlogs cognitoidp ec2 glue iam kms lambda s3 sqs sts ssoadmin xray sns'.split()
ov = 'provider "aws" {\n access_key="test"\n secret_key="test"\n skip_credentials_validation=true\n skip_metadata_api_check=true\n skip_region_validation=true\n s3_use_path_style=true\n endpoints {\n' + ''.join('  %s = "%s"\n' % (x, ep) for x in svcs) + ' }\n}\n'
env = dict(os.environ, AWS_EC2_METADATA_DISABLED='true', TF_IN_AUTOMATION='1', CHECKPOINT_DISABLE='1')
dropped = []
tried = set()
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
        stubbed = False
        for blk in out.split('Error: ')[1:]:
            title = blk.split('\n')[0].strip()
            u = re.search(r'A managed resource "([\w-]+)" "([\w-]+)" has not been declared in\s+module\.(CKV2?_AWS_\d+)', blk)
            if u and (u.group(3), u.group(1), u.group(2)) not in tried:
                tried.add((u.group(3), u.group(1), u.group(2)))
                sp = os.path.join(fx, u.group(3), 'owlet_stubs.tf')
                if not os.path.exists(sp):
                    open(sp, 'w').write("# owlet: resources checkov's cases refer to without declaring them, declared\n# empty so that the cases plan offline\n")
                open(sp, 'a').write('resource "%s" "%s" {\n}\n' % (u.group(1), u.group(2)))
                stubbed = True
                continue
            m = re.search(r'on (CKV2?_AWS_\d+)/([\w.-]+\.tf) line (\d+)', blk)
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
        byfile = {}
        for mod, f, line, title in hits:
            byfile.setdefault((mod, f), []).append((line, title))
        for (mod, f), lines in byfile.items():
            p = os.path.join(fx, mod, f); txt = open(p).read()
            blocks = {}
            for st, en, hdr in cc.top_blocks(txt):
                for line, title in lines:
                    if txt[:st].count('\n') + 1 <= line <= txt[:en].count('\n') + 1:
                        blocks.setdefault((st, en), (hdr, title))
            for (st, en) in sorted(blocks, reverse=True):
                hdr, title = blocks[(st, en)]
                dropped.append((mod, hdr.strip(), title))
                note = '# (owlet: %s dropped, it does not plan offline: %s)\n' % (hdr.strip().rstrip('{').strip(), title)
                txt = txt[:st] + note + txt[en:]
            open(p, 'w').write(txt)
        print('round', it, 'dropped', len(hits))
finally:
    moto.kill()
    moto.wait()
shutil.rmtree(tmp, ignore_errors=True)
print('dropped %d blocks' % len(dropped))
