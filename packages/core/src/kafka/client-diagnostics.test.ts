import { describe, expect, it } from 'vitest';
import { ClientDiagnostics } from './client-diagnostics.js';

describe('ClientDiagnostics', () => {
  it('should keep the last error-level line that names a failure, without the thread prefix', () => {
    const d = new ClientDiagnostics();
    expect(d.cause).toBeUndefined();
    d.onLog(6, '[thrd:main]: 127.0.0.1:1/bootstrap: Connecting');
    expect(d.cause).toBeUndefined();
    d.onLog(
      3,
      '[thrd:sasl_ssl://127.0.0.1:9092/bootstrap]: sasl_ssl://127.0.0.1:9092/bootstrap: SSL handshake failed: Disconnected: connecting to a PLAINTEXT broker listener? (after 1ms in state SSL_HANDSHAKE)',
    );
    d.onLog(3, '[thrd:x]: sasl_ssl://127.0.0.1:9092/bootstrap: Disconnected: SSL connection closed by peer');
    expect(d.cause).toBe(
      'sasl_ssl://127.0.0.1:9092/bootstrap: SSL handshake failed: Disconnected: connecting to a PLAINTEXT broker listener? (after 1ms in state SSL_HANDSHAKE)',
    );
  });

  it('should fall back to the last error-level line when none names a failure', () => {
    const d = new ClientDiagnostics();
    d.onLog(3, '[thrd:x]: b1: Disconnected');
    expect(d.cause).toBe('b1: Disconnected');
  });
});
