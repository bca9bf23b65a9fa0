# What the original worker's case.py (github imxieyi/carp_judge_worker) does with a CASE_DATA
# zip, minus Docker: read config.json, unpack program/ and data/ into a fresh directory,
# substitute the placeholders its generation knows into `parameters`, build the command
# 'python3 <dir>/program/<entry> <parameters>' and run it in <dir>/program. Docker ran that
# string as shlex.split(command) (docker-py's split_command) with the directory mounted at
# /workspace; here the directory itself stands for /workspace.
#
#   python3 old-case-runner.py ZIP GENERATION
#   GENERATION: before-seed  (c0f5f19 and earlier: $data, $time, $cpu, $memory)
#               seed         (bd27e4a on: also $seed, when config.json has `seed`)
# Prints one JSON line: {"argv": [...], "exitcode": N, "stdout": "...", "stderr": "..."}.
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from zipfile import ZipFile

zip_path, generation = sys.argv[1], sys.argv[2]
workspace = tempfile.mkdtemp(prefix='old-case-')
archive = ZipFile(zip_path)
names = archive.namelist()
config = json.loads(archive.open('config.json').read())
entry, data, parameters = config['entry'], config['data'], config['parameters']

program_files = [n for n in names if n.startswith('program/') and n != 'program/']
data_files = [n for n in names if n.startswith('data/') and n != 'data/']
assert 'program/' + entry in program_files, 'Entry file not found: ' + entry
assert data == '' or 'data/' + data in data_files, 'Data file not found: ' + data
os.makedirs(os.path.join(workspace, 'program'), exist_ok=True)
os.makedirs(os.path.join(workspace, 'data'), exist_ok=True)
for item in program_files + data_files:
    target = os.path.join(workspace, item)
    if item.endswith('/'):
        os.makedirs(target)
        continue
    with open(target, 'wb') as out:
        out.write(archive.open(item).read())

parameters = parameters.replace('$data', os.path.join(workspace, 'data', data))
parameters = parameters.replace('$time', str(config['time']))
parameters = parameters.replace('$cpu', str(config['cpu']))
parameters = parameters.replace('$memory', str(config['memory']))
if generation == 'seed' and 'seed' in config:
    parameters = parameters.replace('$seed', str(config['seed']))
elif generation != 'before-seed':
    sys.exit('unknown generation ' + generation)

command = 'python3 {program} {parameters}'.format(program=os.path.join(workspace, 'program', entry), parameters=parameters)
argv = shlex.split(command)
try:
    run = subprocess.run(argv, cwd=os.path.join(workspace, 'program'), capture_output=True, timeout=config['time'])
finally:
    shutil.rmtree(workspace, ignore_errors=True)
print(json.dumps({
    'argv': [a.replace(workspace, '/workspace') for a in argv],
    'exitcode': run.returncode,
    'stdout': run.stdout.decode('utf8'),
    'stderr': run.stderr.decode('utf8'),
}))
