"""Sorts the pwrite64 calls of benches/writes-strace.sh's log into write paths (sled log records
by size and content) and counts the 4 KiB pages each touches: a flushed write dirties a page."""
import re,sys,collections
rx=re.compile(r'^(\d+)\s+pwrite64\(\d+<([^>]*)>, "(.*?)"(?:\.\.\.)?, (\d+), (\d+)')
res=re.compile(r'^(\d+)\s+<\.\.\. pwrite64 resumed>\)\s+=\s+(\d+)')
cls=collections.Counter(); pages=collections.Counter(); byts=collections.Counter()
for line in open(sys.argv[1]):
    m=rx.match(line)
    if not m: continue
    pid,path,data,n,off=m.groups(); n=int(n); off=int(off)
    f=path.split('/')[-2]
    if n==24: c='batch marker (24 B)'
    elif n==19: c='inbox removal (19 B)'
    elif 'position' in data or '\\tu\\0' in data: c='inbox insert (+position)'
    else: c='other (handlers, audit, background)'
    c=f+': '+c
    cls[c]+=1; byts[c]+=n; pages[c]+=(off+n-1)//4096-off//4096+1
for c in sorted(cls): print(f"{c:50} writes={cls[c]:5} bytes={byts[c]:8} page-writes={pages[c]:5} (~{pages[c]*4} KiB)")
