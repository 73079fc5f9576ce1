"""Helpers shared by the tests, one home for each (fixtures stay in the conftest.py files):

- paths: the checkout, its example answers, ../shared beside it;
- answers: the walkthrough's answers as data or as a validated AnswerFile, the sentinel secret;
- cli: the command line, in process or in a real process;
- sim: a script run directly on a simulated machine, the install rig over real WinRM;
- reference: the reference install log; replay: recorded WinRS exchanges served over loopback;
- waiting: wait for a condition, not a guessed time;
- wizard: driving the app under Pilot; pty: the app in a real pseudo-terminal.
"""
