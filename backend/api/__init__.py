"""The Session's grouped API: what front ends and the command language may ask of the worker side.

Each group is a small class holding the worker link (link.py) and the Debugger
(debugger.py), and each of its calls hops once to the ptrace worker:

    session.breakpoints   BreakpointsAPI  break, watch, delete, clear, enable, condition ... (breakpoints.py)
    session.frames        FramesAPI       backtrace, frames, registers, threads (frames.py)
    session.data          DataAPI         expressions, memory, variables, code, libraries (data.py)
    session.settings      SettingsAPI     args, tty, ASLR, pending breakpoints, signals (settings.py)
    session.info          InfoAPI         info address, source, proc, watchpoints (info.py)

protocol.py names what the command language needs of a Session, since commands/ sits
below session.py. Nothing here is imported by the package itself: import the module.
"""
