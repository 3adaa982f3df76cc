#!/usr/bin/python3
"""Where a cold epoch's device requests come from (docs/in-database.md, issue 13, eighteenth round).

Reads the text of a system-wide recording of a cold bench run and prints, for the training call with the most
posix_fadvise(WILLNEED) page-cache fills (CorgiPile's block announcements), or for --pid, the read requests
(block_bio_queue, by size) and the page-cache fills (grouped into runs of contiguous pages per file and process, by
what caused them: the announcement, a pread's read-ahead, a page fault of a mapped file) between --from and --to
(default: the whole call). Files are named by inode; --find-inodes looks them up under / (the bench's clusters are
deleted after the run, so only files outside them, e.g. the JVM's and the extension's, are found).

Root only (perf with tracepoints), e.g.:

    perf record -a -g -e filemap:mm_filemap_add_to_page_cache -e block:block_bio_queue -o /tmp/cold.data -- \\
        ./corgipile bench --profiles hdd --datasets higgs-like --layouts shuffled --rows 500000 --epochs 3 \\
        --test-fraction 0.05 --strategies corgipile --probe-pages 300 --out bench-results/cold-requests
    perf script -i /tmp/cold.data -F comm,pid,tid,time,event,trace,ip,sym > /tmp/cold.txt
    /usr/bin/python3 scripts/cold-requests.py /tmp/cold.txt --find-inodes
"""
import argparse, collections, os, re, subprocess

HEADER = re.compile(r'^(\S.*?)\s+(\d+)(?:/(\d+))?\s+([\d.]+):\s+(\S+):\s+(.*)$')


def events(path):
    """Page-cache fills and bios with their kernel and user stacks (one frame per following indented line)."""
    cur = None
    with open(path, errors='replace') as f:
        for line in f:
            if line.strip() and not line[0].isspace():
                if cur:
                    yield cur
                cur = None
                m = HEADER.match(line.rstrip())
                if not m:
                    continue
                comm, pid, t, name, trace = m.group(1), int(m.group(2)), float(m.group(4)), m.group(5), m.group(6)
                if name == 'filemap:mm_filemap_add_to_page_cache':
                    a = re.search(r'ino (\w+) .*ofs=(\d+) order=(\d+)', trace)
                    cur = dict(kind='fill', comm=comm, pid=pid, t=t, ino=a.group(1), page=int(a.group(2)) // 4096,
                               pages=1 << int(a.group(3)), stack=[])
                elif name == 'block:block_bio_queue':
                    b = re.search(r'(\S+) \d+ \+ (\d+)', trace)
                    cur = dict(kind='bio', comm=comm, pid=pid, t=t, read=b.group(1).startswith('R'),
                               kb=int(b.group(2)) // 2, stack=[])
            elif cur is not None and line.strip():
                frame = line.split()
                cur['stack'].append(frame[1] if len(frame) > 1 else '')
    if cur:
        yield cur


def cause(stack):
    s = ' '.join(stack)
    if 'fadvise' in s:
        return 'announcement (WILLNEED)'
    if 'filemap_readahead' in s:
        return 'pread, read-ahead'
    if 'pread64' in s or 'ksys_read' in s:
        return 'pread, cache miss'
    if 'fault' in s:
        return 'page fault (mapped file)'
    if 'throtl' in s:
        return 'throttled, dispatched later'
    return 'other'


def size_class(kb):
    return '<= 32 kB' if kb <= 32 else '<= 512 kB' if kb <= 512 else '< 1016 kB' if kb < 1016 \
        else '1016 kB' if kb == 1016 else '> 1016 kB'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('script', help='perf script output (-F comm,pid,tid,time,event,trace,ip,sym)')
    p.add_argument('--pid', type=int, help='the training backend (default: most announcement fills)')
    p.add_argument('--from', dest='t0', type=float, help='window start (perf time, s)')
    p.add_argument('--to', dest='t1', type=float, help='window end (perf time, s)')
    p.add_argument('--find-inodes', action='store_true', help='name the files of the busiest inodes')
    a = p.parse_args()
    evs = list(events(a.script))
    fills = [e for e in evs if e['kind'] == 'fill']
    announced = collections.Counter(e['pid'] for e in fills if cause(e['stack']).startswith('announcement'))
    pid = a.pid or (announced.most_common(1)[0][0] if announced else None)
    mine = [e['t'] for e in fills if e['pid'] == pid]
    if not mine:
        raise SystemExit('no page-cache fills of the training backend in ' + a.script)
    t0 = a.t0 if a.t0 is not None else mine[0]
    t1 = a.t1 if a.t1 is not None else mine[-1]
    table = collections.Counter(e['ino'] for e in fills if e['pid'] == pid
                                and cause(e['stack']).startswith('announcement')).most_common(1)
    table = table[0][0] if table else None
    print(f'backend {pid}, window {t0:.3f}-{t1:.3f} s ({t1 - t0:.2f} s), training table inode {table}')

    bios = collections.Counter()
    for e in evs:
        if e['kind'] == 'bio' and e['read'] and t0 <= e['t'] <= t1:
            bios[(size_class(e['kb']), cause(e['stack']))] += 1
    print(f'\nread requests (bios) of every process: {sum(bios.values())}')
    for (size, why), n in sorted(bios.items()):
        print(f'  {n:6d}  {size:10s}  {why}')

    runs, last = [], {}
    for e in fills:
        if not t0 <= e['t'] <= t1:
            continue
        why, key = cause(e['stack']), (e['ino'], e['pid'])
        r = last.get(key)
        if r and r['why'] == why and r['end'] == e['page']:
            r['end'] += e['pages']
        else:
            r = dict(ino=e['ino'], comm=e['comm'], why=why, start=e['page'], end=e['page'] + e['pages'])
            runs.append(r)
            last[key] = r
    groups, pages = collections.Counter(), collections.Counter()
    for r in runs:
        n = r['end'] - r['start']
        k = ('training table' if r['ino'] == table else 'inode ' + r['ino'], r['comm'][:15], r['why'],
             size_class(4 * n))
        groups[k] += 1
        pages[k] += n
    print(f'\npage-cache fills in runs of contiguous pages (per file and process): {len(runs)} runs')
    for k, n in sorted(groups.items(), key=lambda kv: -kv[1])[:25]:
        print(f'  {n:6d} runs {4 * pages[k] / 1024:8.1f} MB  {k[0]:16s} {k[1]:15s} {k[2]:28s} {k[3]}')

    if a.find_inodes:
        busiest = collections.Counter()
        for k, n in groups.items():
            if k[0].startswith('inode '):
                busiest[k[0][6:]] += n
        for ino, n in busiest.most_common(8):
            found = subprocess.run(['find', '/', '-xdev', '-inum', str(int(ino, 16))], capture_output=True,
                                   text=True).stdout.split()
            print(f'  inode {ino}: {n} runs, {found[-1] if found else "(not found: deleted, e.g. a cluster file)"}')


if __name__ == '__main__':
    main()
