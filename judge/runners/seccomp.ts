/**
 * A small classic-BPF seccomp filter for the bwrap sandbox (x86_64 only), in the spirit of
 * docker's default profile: the solver may not create namespaces (so it cannot become
 * "root" in a user namespace and mount an unbounded tmpfs, for instance), mount, trace,
 * use keyrings, bpf, perf, io_uring, userfaultfd or the x32 / 32-bit syscall ABIs.
 * Everything else is allowed. Returns the program as bwrap's `--seccomp FD` expects it:
 * an array of `struct sock_filter` (8 bytes each, host byte order).
 */

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;

const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

// BPF opcodes
const LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const JSET_K = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const RET_K = 0x06; // BPF_RET | BPF_K

// struct seccomp_data offsets
const OFF_NR = 0;
const OFF_ARCH = 4;
const OFF_ARG0_LO = 16;

/** Namespace flags refused in clone(2)'s flags (CLONE_NEWTIME is 0x80 = CSIGNAL bits there). */
const CLONE_NS_FLAGS =
  0x00020000 /* NEWNS */ |
  0x02000000 /* NEWCGROUP */ |
  0x04000000 /* NEWUTS */ |
  0x08000000 /* NEWIPC */ |
  0x10000000 /* NEWUSER */ |
  0x20000000 /* NEWPID */ |
  0x40000000; /* NEWNET */

const X86_64 = {
  clone: 56,
  clone3: 435,
  /** Refused with EPERM. */
  denied: {
    ptrace: 101,
    syslog: 103,
    vhangup: 153,
    pivot_root: 155,
    chroot: 161,
    acct: 163,
    mount: 165,
    umount2: 166,
    swapon: 167,
    swapoff: 168,
    reboot: 169,
    sethostname: 170,
    setdomainname: 171,
    iopl: 172,
    ioperm: 173,
    init_module: 175,
    delete_module: 176,
    quotactl: 179,
    lookup_dcookie: 212,
    kexec_load: 246,
    add_key: 248,
    request_key: 249,
    keyctl: 250,
    unshare: 272,
    perf_event_open: 298,
    name_to_handle_at: 303,
    open_by_handle_at: 304,
    setns: 308,
    process_vm_readv: 310,
    process_vm_writev: 311,
    finit_module: 313,
    kexec_file_load: 320,
    bpf: 321,
    userfaultfd: 323,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
  } as Record<string, number>,
};

interface Insn {
  code: number;
  k: number;
  /** Jump targets as labels (resolved to relative offsets). */
  jt?: string;
  jf?: string;
  label?: string;
}

function assemble(prog: Insn[]): Uint8Array {
  const at = new Map<string, number>();
  prog.forEach((ins, i) => {
    if (ins.label) at.set(ins.label, i);
  });
  const buf = new Uint8Array(prog.length * 8);
  const view = new DataView(buf.buffer);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  prog.forEach((ins, i) => {
    const rel = (label: string | undefined): number => {
      if (label === undefined) return 0;
      const target = at.get(label);
      if (target === undefined) throw new Error(`seccomp: unknown label ${label}`);
      const off = target - i - 1;
      if (off < 0 || off > 255) throw new Error(`seccomp: jump to ${label} out of range`);
      return off;
    };
    view.setUint16(i * 8, ins.code, le);
    view.setUint8(i * 8 + 2, rel(ins.jt));
    view.setUint8(i * 8 + 3, rel(ins.jf));
    view.setUint32(i * 8 + 4, ins.k >>> 0, le);
  });
  return buf;
}

/** The filter for this machine's architecture, or null when there is none for it. */
export function seccompFilter(arch: string = process.arch): Uint8Array | null {
  if (arch !== 'x64') return null;
  const t = X86_64;
  const prog: Insn[] = [
    { code: LD_W_ABS, k: OFF_ARCH },
    { code: JEQ_K, k: AUDIT_ARCH_X86_64, jf: 'enosys' },
    { code: LD_W_ABS, k: OFF_NR },
    { code: JGE_K, k: X32_SYSCALL_BIT, jt: 'enosys' },
    { code: JEQ_K, k: t.clone, jt: 'clone' },
    // glibc falls back to clone(2) when clone3 is missing; clone3's flags live in memory
    // that a filter cannot inspect.
    { code: JEQ_K, k: t.clone3, jt: 'enosys' },
    ...Object.values(t.denied).map((nr): Insn => ({ code: JEQ_K, k: nr, jt: 'eperm' })),
    { code: RET_K, k: SECCOMP_RET_ALLOW },
    { code: LD_W_ABS, k: OFF_ARG0_LO, label: 'clone' },
    { code: JSET_K, k: CLONE_NS_FLAGS, jt: 'eperm' },
    { code: RET_K, k: SECCOMP_RET_ALLOW },
    { code: RET_K, k: SECCOMP_RET_ERRNO | EPERM, label: 'eperm' },
    { code: RET_K, k: SECCOMP_RET_ERRNO | ENOSYS, label: 'enosys' },
  ];
  return assemble(prog);
}
