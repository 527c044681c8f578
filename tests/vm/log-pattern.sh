# shellcheck shell=bash
# The kernel log lines that mean trouble, one extended regex: sourced by
# tests/vm/run.sh (the whole log after a run) and tests/vm/lib.sh (a
# suite's own checks after each step, vm_dmesg_check).
# Besides oopses and warnings: the reports of debug kernels' sanitizers
# (KASAN, UBSAN, KFENCE, lockdep, might_sleep, DEBUG_LIST, DEBUG_OBJECTS).
# Most start with "BUG:" or "WARNING:" but are named so that a kernel that
# words them differently is still caught.
VM_BAD_LOG='WARNING:|BUG:|Oops|general protection fault|Call Trace:|soft lockup|hard LOCKUP|hung_task|blocked for more than|KASAN|UBSAN|KFENCE|[Kk]ernel panic|RIP: |refcount_t:|kernel BUG'
VM_BAD_LOG+='|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|bad unlock balance|lock held when returning to user|held lock freed|DEBUG_LOCKS_WARN_ON|lockdep is turned off'
VM_BAD_LOG+='|sleeping function called from invalid context|scheduling while atomic'
VM_BAD_LOG+='|list_add corruption|list_del corruption|list corruption|ODEBUG:'
