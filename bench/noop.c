/* noop: the floor of any runtime command, for the benchmark.
 *
 * A static binary with no libc that exits at once: what it costs on this
 * machine to spawn, exec and reap a process that does nothing.  `start`,
 * `state` and `delete` are one process each (plus their own work): their
 * figures read against this one.  Built with -static -nostdlib.
 */
#if defined(__x86_64__)
__attribute__((naked, noreturn)) void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
#elif defined(__aarch64__)
__attribute__((naked, noreturn)) void _start(void)
{
	__asm__ volatile("mov x8, #93\n\tmov x0, #0\n\tsvc #0");
}
#else
#error "noop.c: exit(0) by syscall for x86_64 and aarch64 only"
#endif
