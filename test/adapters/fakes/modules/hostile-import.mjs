// A module that throws on import, with terminal escapes in its message.
throw new Error('broken on import \x1b]0;pwned\x07\x1b[2J');
