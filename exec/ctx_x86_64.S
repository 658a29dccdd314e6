/*
 * exec_ctx_switch(struct exec_ctx *from, struct exec_ctx *to)
 *
 * Saves the System V callee-saved registers of the running context on its
 * own stack, stores the stack pointer in from->sp and resumes `to`.  A
 * switch is six pushes, two moves and six pops: no system call, no signal
 * mask (unlike swapcontext()).  exec/ctx.c builds the initial frame of a
 * new context so that the final `ret` enters the actor trampoline.
 */
#if defined(__x86_64__)
	.text
	.globl	exec_ctx_switch
	.type	exec_ctx_switch, @function
exec_ctx_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	exec_ctx_switch, .-exec_ctx_switch
#endif
	.section .note.GNU-stack,"",@progbits
