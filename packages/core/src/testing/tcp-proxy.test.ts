import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { waitFor } from './wait-for';

/** Sends `text` through a new connection to `port` and resolves with the echoed reply. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('startTcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;

  before(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
  });

  after(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards bytes both ways', async () => {
    expect(await roundTrip(proxy.port, 'hello')).to.equal('hello');
  });

  it('builds a redis URL on its port', () => {
    expect(proxy.url('/15')).to.equal(`redis://127.0.0.1:${proxy.port}/15`);
  });

  describe('stall', () => {
    it('holds bytes back until restore, then delivers them', async () => {
      const socket = connect(proxy.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      await proxy.stall();
      const chunks: string[] = [];
      socket.on('data', (data) => chunks.push(data.toString()));
      socket.write('held');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(chunks).to.deep.equal([]);
      await proxy.restore();
      await waitFor(() => chunks.join('') === 'held', { message: 'the held bytes arrive after restore' });
      expect(chunks.join('')).to.equal('held');
      socket.destroy();
    });
  });

  describe('cut', () => {
    it('closes open connections and refuses new ones until restore', async () => {
      const open = connect(proxy.port, '127.0.0.1');
      await new Promise((resolve) => open.once('connect', resolve));
      const closed = new Promise((resolve) => open.once('close', resolve));
      await proxy.cut();
      await closed;
      const refused = await roundTrip(proxy.port, 'x').then(
        () => 'connected',
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect(refused).to.equal('ECONNREFUSED');
      await proxy.restore();
      expect(await roundTrip(proxy.port, 'back')).to.equal('back');
    });
  });
});
