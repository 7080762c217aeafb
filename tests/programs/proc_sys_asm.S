/* Raw syscalls with a label on the syscall instruction itself (HARD-CASES A1). */
    .text
    .globl raw_fork
    .type raw_fork, @function
raw_fork:
    mov $57, %eax
    .globl raw_fork_syscall
raw_fork_syscall:
    syscall
    ret
    .size raw_fork, .-raw_fork

    .globl raw_vfork
    .type raw_vfork, @function
raw_vfork:
    pop %rdx                      /* the child would clobber our return address */
    mov $58, %eax
    .globl raw_vfork_syscall
raw_vfork_syscall:
    syscall
    push %rdx
    ret
    .size raw_vfork, .-raw_vfork

    .globl raw_exit_group
    .type raw_exit_group, @function
raw_exit_group:
    mov $231, %eax
    .globl raw_exit_syscall
raw_exit_syscall:
    syscall
    hlt
    .size raw_exit_group, .-raw_exit_group
    .section .note.GNU-stack,"",@progbits
