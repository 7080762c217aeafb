/* Instructions a breakpoint manager gets wrong: a call+jump target, a raw syscall,
   two consecutive one-byte instructions. */
        .text
        .globl  both_target
        .type   both_target, @function
both_target:
        leaq    counter(%rip), %rax
        incl    (%rax)
        ret
        .size   both_target, .-both_target

        .globl  tail_jump
        .type   tail_jump, @function
tail_jump:
        jmp     both_target
        .size   tail_jump, .-tail_jump

        .globl  two_nops
        .type   two_nops, @function
two_nops:
        nop
        nop
        ret
        .size   two_nops, .-two_nops

        .globl  raw_getpid
        .type   raw_getpid, @function
raw_getpid:
        movl    $39, %eax
        .globl  raw_syscall_insn
raw_syscall_insn:
        syscall
        ret
        .size   raw_getpid, .-raw_getpid

        .section .note.GNU-stack,"",@progbits
