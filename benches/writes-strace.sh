#!/bin/sh
# For `cargo bench --bench writes`: the bot under strace, from the measured part on.
#   WRITES_ROWS=default WRITES_MARK=/dev/shm/arcana-writes-mark \
#     ARCANA_RUNNER=benches/writes-strace.sh cargo bench --bench writes
#   python3 benches/writes-strace.py /dev/shm/arcana-writes-strace.log
# Runs the bot (exec: same pid, so /proc/PID/io stays the bot's); once the bench writes the
# mark, attaches strace to it (write and sync calls, file names shown).
rm -f /dev/shm/arcana-writes-mark /dev/shm/arcana-writes-strace.log
( while [ ! -e /dev/shm/arcana-writes-mark ]; do sleep 0.05; done
  exec strace -f -qq -y -e trace=pwrite64,pwritev,pwritev2,write,writev,fsync,fdatasync,sync_file_range \
    -p $$ -o /dev/shm/arcana-writes-strace.log ) &
exec "$@"
