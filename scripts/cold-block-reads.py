#!/usr/bin/python3
"""How many device requests a random block costs, by the way it is read (docs/in-database.md, issue 13, eleventh round).

Root only. Creates a cgroup-v1 blkio group throttled like the bench's hdd (150 IOPS, 150 MiB/s) and a memory group
(page cache limit), drops the page cache, then reads N blocks of KB kB at random block-aligned offsets of FILE (256 MB
of random bytes, made on first use) in one of the MODES, and prints the group's read requests and bytes.

    /usr/bin/python3 scripts/cold-block-reads.py MODE KB N [FILE] [MEMORY_MB]
    e.g. for m in seq willneed pread; do /usr/bin/python3 scripts/cold-block-reads.py $m 1016 32; done

THEN_PREAD=1: after a mmap mode, 8 kB reads of the block as PostgreSQL makes them (nineteenth round: they hit the
huge folio's read-ahead mark); CLEAR=randomfd: after mmapblock, one 8 kB read through a POSIX_FADV_RANDOM descriptor.
    e.g. THEN_PREAD=1 /usr/bin/python3 scripts/cold-block-reads.py mmapblock 2048 32
"""
import mmap, os, random, subprocess, sys, time

MODES = ('seq', 'willneed', 'pread', 'prevpage', 'freshfd', 'mmaphuge', 'mmaphugerand', 'mmapblock', 'mmapseq')
mode, kb, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
path = sys.argv[4] if len(sys.argv) > 4 else '/var/tmp/cold-block-reads.data'
memory_mb = int(sys.argv[5]) if len(sys.argv) > 5 else 40
assert mode in MODES, MODES
blkio, memory = '/sys/fs/cgroup/blkio/cold-block-reads', '/sys/fs/cgroup/memory/cold-block-reads'

if os.environ.get('IN_GROUP') != '1':
    if not os.path.exists(path):
        subprocess.run(['dd', 'if=/dev/urandom', 'of=' + path, 'bs=1M', 'count=256', 'status=none'], check=True)
    st = os.stat(path)
    disk = open(f'/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}/dev').read().strip()
    whole = os.path.realpath(f'/sys/dev/block/{disk}')
    if os.path.exists(whole + '/partition'):
        disk = open(os.path.dirname(whole) + '/dev').read().strip()
    os.makedirs(blkio, exist_ok=True)
    os.makedirs(memory, exist_ok=True)
    open(blkio + '/blkio.throttle.read_iops_device', 'w').write(f'{disk} 150')
    open(blkio + '/blkio.throttle.read_bps_device', 'w').write(f'{disk} {150 << 20}')
    open(memory + '/memory.limit_in_bytes', 'w').write(str(memory_mb << 20))
    os.sync()
    open('/proc/sys/vm/drop_caches', 'w').write('3')
    cmd = f'echo $$ > {blkio}/cgroup.procs; echo $$ > {memory}/cgroup.procs; exec /usr/bin/python3 ' + ' '.join(
        [sys.argv[0], mode, str(kb), str(n), path, str(memory_mb)])
    sys.exit(subprocess.run(['bash', '-c', cmd], env=dict(os.environ, IN_GROUP='1')).returncode)


def served():
    def read(name):
        return sum(int(p[2]) for p in (l.split() for l in open(f'{blkio}/{name}')) if len(p) == 3 and p[1] == 'Read')
    return read('blkio.throttle.io_serviced'), read('blkio.throttle.io_service_bytes')


blk = kb * 1024
fd = os.open(path, os.O_RDONLY)
offsets = [i * blk for i in random.Random(7).sample(range(os.fstat(fd).st_size // blk), n)]
if mode == 'seq':
    offsets = [i * blk for i in range(n)]
mm = mmap.mmap(fd, 0, prot=mmap.PROT_READ) if mode.startswith('mmap') and mode != 'mmapblock' else None
buf = bytearray(blk)
r0, b0 = served()
t0 = time.time()
for off in offsets:
    if mode == 'willneed':  # the engine: WILLNEED in 2 MB pieces, then PostgreSQL's 8 kB reads
        for d in range(0, blk, 2 << 20):
            os.posix_fadvise(fd, off + d, min(2 << 20, blk - d), os.POSIX_FADV_WILLNEED)
    if mode in ('seq', 'willneed'):
        for p in range(off, off + blk, 8192):
            os.pread(fd, 8192, p)
    elif mode == 'pread':
        os.preadv(fd, [buf], off)
    elif mode == 'prevpage':  # the page before first, so the block's read looks sequential to the kernel
        os.pread(fd, 8192, max(0, off - 8192))
        os.preadv(fd, [buf], off)
    elif mode == 'freshfd':  # a new file (new read-ahead state) per block, 8 kB reads through it
        f = os.open(path, os.O_RDONLY)
        for p in range(off, off + blk, 8192):
            os.pread(f, 8192, p)
        os.close(f)
    elif mode == 'mmapblock':  # the engine: a mapping of the block alone, huge + random + populate, unmapped
        m = mmap.mmap(fd, blk, prot=mmap.PROT_READ, offset=off)
        m.madvise(mmap.MADV_HUGEPAGE)
        m.madvise(mmap.MADV_RANDOM)
        m.madvise(22)
        m.close()
        if os.environ.get('CLEAR') == 'randomfd':  # a read through a FADV_RANDOM descriptor
            f2 = os.open(path, os.O_RDONLY)
            os.posix_fadvise(f2, 0, 0, os.POSIX_FADV_RANDOM)
            os.pread(f2, 8192, off)
            os.close(f2)
    else:
        mm.madvise(mmap.MADV_HUGEPAGE if mode.startswith('mmaphuge') else mmap.MADV_SEQUENTIAL, off, blk)
        if mode == 'mmaphugerand':  # one PMD folio per fault, no second one read ahead
            mm.madvise(mmap.MADV_RANDOM, off, blk)
        mm.madvise(22, off, blk)  # MADV_POPULATE_READ (Linux 5.14)
    if mode.startswith('mmap') and os.environ.get('THEN_PREAD') == '1':  # then PostgreSQL's 8 kB reads
        for p in range(off, off + blk, 8192):
            os.pread(fd, 8192, p)
r1, b1 = served()
req, mb = r1 - r0, (b1 - b0) / 2**20
print(f'{mode:9s} {kb} kB x {n}: {time.time() - t0:.2f} s, {req} requests ({req / n:.1f} per block), '
      f'{(b1 - b0) / 1024 / max(1, req):.0f} kB per request, {mb:.0f} MB read for {blk * n / 2**20:.0f} MB')
