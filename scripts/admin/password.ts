import { CliError } from './cli-error';

// Passwords never come from argv (it shows in `ps` and shell history): a hidden prompt on a terminal, asked twice,
// or the first line of stdin when piped (`printf '%s\n' "$PW" | npm run admin -- create-admin --email ...`).

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new CliError('cancelled'));
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

export async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const password = await firstLineOfStdin();
    if (!password) throw new CliError('no password on stdin (give it as the first line, or run on a terminal to be asked)');
    return password;
  }
  const password = await promptHidden('Password for the new SUPER_ADMIN: ');
  if ((await promptHidden('Again: ')) !== password) throw new CliError('the two passwords differ');
  return password;
}
