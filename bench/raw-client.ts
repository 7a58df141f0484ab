// The benches' load driver: HTTP/1.1 over node:net, the least client CPU per request (the driver shares the cores).
import { connect, type Socket } from 'node:net';

export interface Reply {
  status: number;
  body: { data?: Record<string, unknown> & { refreshToken?: string; accessToken?: string } };
}

/**
 * One keep-alive HTTP/1.1 connection over node:net that POSTs JSON and reads replies framed by Content-Length (which
 * the server sends on every JSON reply), as autocannon drives the peer benchmark. The driver shares the two cores
 * with the server and its stores: node:http's client spent about 0.27 ms of CPU per refresh rotation, a tenth of all the
 * machine's work per rotation, most of it on building and parsing what this writes and reads directly (fetch, about
 * 1.2 ms per login in the hash-ceiling bench).
 */
export class RawClient {
  #socket: Socket;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #pending?: { resolve(reply: Reply): void; reject(error: Error): void };

  private constructor(
    socket: Socket,
    private readonly base: URL,
  ) {
    this.#socket = this.#attach(socket);
  }

  static async connect(base: URL): Promise<RawClient> {
    return new RawClient(await openSocket(base), base);
  }

  async post(path: string, body: unknown): Promise<Reply> {
    // The server closes a keep-alive connection idle for 5 s (node:http's default); open another, as HTTP clients do.
    if (this.#socket.destroyed) {
      this.#chunks = [];
      this.#buffered = 0;
      this.#socket = this.#attach(await openSocket(this.base));
    }
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      // One write, so the request leaves in one segment (the socket has Nagle off), as autocannon sends it.
      this.#socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${this.base.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
      );
    });
  }

  #attach(socket: Socket): Socket {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      this.#tryReply();
    });
    const fail = (error?: Error) => {
      if (socket !== this.#socket) return; // a connection already replaced
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.reject(error ?? new Error('connection closed'));
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
    return socket;
  }

  #tryReply(): void {
    const buffer = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [buffer];
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = buffer.toString('latin1', 0, headerEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const pending = this.#pending;
    this.#pending = undefined;
    if (!length) {
      pending?.reject(new Error(`a reply without Content-Length: ${head.split('\r\n')[0]}`));
      this.#socket.destroy();
      return;
    }
    const end = headerEnd + 4 + Number(length[1]);
    if (buffer.length < end) {
      this.#pending = pending;
      return;
    }
    const text = buffer.toString('utf8', headerEnd + 4, end);
    const rest = buffer.subarray(end);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    let parsed: Reply['body'] = {};
    try {
      parsed = JSON.parse(text) as Reply['body'];
    } catch {
      // Not JSON: the caller sees an empty body.
    }
    pending?.resolve({ status: Number(head.slice(9, 12)), body: parsed });
  }

  close(): void {
    this.#socket.destroy();
  }
}

function openSocket(base: URL): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: base.hostname, port: Number(base.port) }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
