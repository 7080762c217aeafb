"""x86-64 Linux system call names and gdb's groups (`catch syscall NAME|NUM|group:G`).

Generated from the kernel's arch/x86/entry/syscalls/syscall_64.tbl in the form gdb 13
ships it (its amd64-linux.xml): the same names, numbers and groups, so `catch syscall`
accepts and prints what gdb does.
"""
from __future__ import annotations

# number, name, groups (comma-separated)
_TABLE = """
0 read descriptor
1 write descriptor
2 open descriptor,file
3 close descriptor
4 stat file
5 fstat descriptor
6 lstat file
7 poll descriptor
8 lseek descriptor
9 mmap descriptor,memory
10 mprotect memory
11 munmap memory
12 brk memory
13 rt_sigaction signal
14 rt_sigprocmask signal
15 rt_sigreturn signal
16 ioctl descriptor
17 pread64 descriptor
18 pwrite64 descriptor
19 readv descriptor
20 writev descriptor
21 access file
22 pipe descriptor
23 select descriptor
24 sched_yield
25 mremap memory
26 msync memory
27 mincore memory
28 madvise memory
29 shmget ipc
30 shmat ipc,memory
31 shmctl ipc
32 dup descriptor
33 dup2 descriptor
34 pause signal
35 nanosleep
36 getitimer
37 alarm
38 setitimer
39 getpid
40 sendfile descriptor,network
41 socket network
42 connect network
43 accept network
44 sendto network
45 recvfrom network
46 sendmsg network
47 recvmsg network
48 shutdown network
49 bind network
50 listen network
51 getsockname network
52 getpeername network
53 socketpair network
54 setsockopt network
55 getsockopt network
56 clone process
57 fork process
58 vfork process
59 execve file,process
60 exit process
61 wait4 process
62 kill signal
63 uname
64 semget ipc
65 semop ipc
66 semctl ipc
67 shmdt ipc,memory
68 msgget ipc
69 msgsnd ipc
70 msgrcv ipc
71 msgctl ipc
72 fcntl descriptor
73 flock descriptor
74 fsync descriptor
75 fdatasync descriptor
76 truncate file
77 ftruncate descriptor
78 getdents descriptor
79 getcwd file
80 chdir file
81 fchdir descriptor
82 rename file
83 mkdir file
84 rmdir file
85 creat descriptor,file
86 link file
87 unlink file
88 symlink file
89 readlink file
90 chmod file
91 fchmod descriptor
92 chown file
93 fchown descriptor
94 lchown file
95 umask
96 gettimeofday
97 getrlimit
98 getrusage
99 sysinfo
100 times
101 ptrace
102 getuid
103 syslog
104 getgid
105 setuid
106 setgid
107 geteuid
108 getegid
109 setpgid
110 getppid
111 getpgrp
112 setsid
113 setreuid
114 setregid
115 getgroups
116 setgroups
117 setresuid
118 getresuid
119 setresgid
120 getresgid
121 getpgid
122 setfsuid
123 setfsgid
124 getsid
125 capget
126 capset
127 rt_sigpending signal
128 rt_sigtimedwait signal
129 rt_sigqueueinfo signal
130 rt_sigsuspend signal
131 sigaltstack signal
132 utime file
133 mknod file
134 uselib file
135 personality
136 ustat
137 statfs file
138 fstatfs descriptor
139 sysfs
140 getpriority
141 setpriority
142 sched_setparam
143 sched_getparam
144 sched_setscheduler
145 sched_getscheduler
146 sched_get_priority_max
147 sched_get_priority_min
148 sched_rr_get_interval
149 mlock memory
150 munlock memory
151 mlockall memory
152 munlockall memory
153 vhangup
154 modify_ldt
155 pivot_root file
156 _sysctl
157 prctl
158 arch_prctl process
159 adjtimex
160 setrlimit
161 chroot file
162 sync
163 acct file
164 settimeofday
165 mount file
166 umount2 file
167 swapon file
168 swapoff file
169 reboot
170 sethostname
171 setdomainname
172 iopl
173 ioperm
174 create_module
175 init_module
176 delete_module
177 get_kernel_syms
178 query_module
179 quotactl file
180 nfsservctl
181 getpmsg
182 putpmsg
183 afs_syscall
184 tuxcall
185 security
186 gettid
187 readahead descriptor
188 setxattr file
189 lsetxattr file
190 fsetxattr descriptor
191 getxattr file
192 lgetxattr file
193 fgetxattr descriptor
194 listxattr file
195 llistxattr file
196 flistxattr descriptor
197 removexattr file
198 lremovexattr file
199 fremovexattr descriptor
200 tkill signal
201 time
202 futex
203 sched_setaffinity
204 sched_getaffinity
205 set_thread_area
206 io_setup
207 io_destroy
208 io_getevents
209 io_submit
210 io_cancel
211 get_thread_area
212 lookup_dcookie
213 epoll_create descriptor
214 epoll_ctl_old
215 epoll_wait_old
216 remap_file_pages memory
217 getdents64 descriptor
218 set_tid_address
219 restart_syscall
220 semtimedop ipc
221 fadvise64 descriptor
222 timer_create
223 timer_settime
224 timer_gettime
225 timer_getoverrun
226 timer_delete
227 clock_settime
228 clock_gettime
229 clock_getres
230 clock_nanosleep
231 exit_group process
232 epoll_wait descriptor
233 epoll_ctl descriptor
234 tgkill signal
235 utimes file
236 vserver
237 mbind memory
238 set_mempolicy memory
239 get_mempolicy memory
240 mq_open
241 mq_unlink
242 mq_timedsend
243 mq_timedreceive
244 mq_notify
245 mq_getsetattr
246 kexec_load
247 waitid process
248 add_key
249 request_key
250 keyctl
251 ioprio_set
252 ioprio_get
253 inotify_init descriptor
254 inotify_add_watch descriptor
255 inotify_rm_watch descriptor
256 migrate_pages memory
257 openat descriptor,file
258 mkdirat descriptor,file
259 mknodat descriptor,file
260 fchownat descriptor,file
261 futimesat descriptor,file
262 newfstatat descriptor,file
263 unlinkat descriptor,file
264 renameat descriptor,file
265 linkat descriptor,file
266 symlinkat descriptor,file
267 readlinkat descriptor,file
268 fchmodat descriptor,file
269 faccessat descriptor,file
270 pselect6 descriptor
271 ppoll descriptor
272 unshare process
273 set_robust_list
274 get_robust_list
275 splice descriptor
276 tee descriptor
277 sync_file_range descriptor
278 vmsplice descriptor
279 move_pages memory
280 utimensat descriptor,file
281 epoll_pwait descriptor
282 signalfd descriptor,signal
283 timerfd_create descriptor
284 eventfd descriptor
285 fallocate descriptor
286 timerfd_settime descriptor
287 timerfd_gettime descriptor
288 accept4 network
289 signalfd4 descriptor,signal
290 eventfd2 descriptor
291 epoll_create1 descriptor
292 dup3 descriptor
293 pipe2 descriptor
294 inotify_init1 descriptor
295 preadv descriptor
296 pwritev descriptor
297 rt_tgsigqueueinfo process,signal
298 perf_event_open descriptor
299 recvmmsg network
300 fanotify_init descriptor
301 fanotify_mark descriptor,file
302 prlimit64
303 name_to_handle_at descriptor,file
304 open_by_handle_at descriptor
305 clock_adjtime
306 syncfs descriptor
307 sendmmsg network
308 setns descriptor
309 getcpu
310 process_vm_readv
311 process_vm_writev
312 kcmp
313 finit_module descriptor
314 sched_setattr
315 sched_getattr
316 renameat2
317 seccomp
318 getrandom
319 memfd_create
320 kexec_file_load
321 bpf
322 execveat
323 userfaultfd
324 membarrier
325 mlock2
326 copy_file_range
327 preadv2
328 pwritev2
329 pkey_mprotect
330 pkey_alloc
331 pkey_free
332 statx
333 io_pgetevents
334 rseq
424 pidfd_send_signal
425 io_uring_setup
426 io_uring_enter
427 io_uring_register
428 open_tree
429 move_mount
430 fsopen
431 fsconfig
432 fsmount
433 fspick
434 pidfd_open
435 clone3
436 close_range
437 openat2
438 pidfd_getfd
439 faccessat2
440 process_madvise
441 epoll_pwait2
442 mount_setattr
443 quotactl_fd
444 landlock_create_ruleset
445 landlock_add_rule
446 landlock_restrict_self
447 memfd_secret
448 process_mrelease
449 futex_waitv
450 set_mempolicy_home_node
"""

NAMES: dict[int, str] = {}
NUMBERS: dict[str, int] = {}
GROUPS: dict[str, list[int]] = {}
for _line in _TABLE.split("\n"):
    if not _line:
        continue
    _num, _name, *_groups = _line.split()
    NAMES[int(_num)] = _name
    NUMBERS[_name] = int(_num)
    for _g in _groups[0].split(",") if _groups else ():
        GROUPS.setdefault(_g, []).append(int(_num))


def syscall_name(num: int) -> str | None:
    return NAMES.get(num)
