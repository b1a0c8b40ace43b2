/**
 * ChaCha20-Poly1305 (RFC 8439) from the system's OpenSSL libcrypto, called through bun:ffi, for
 * the Noise transport cipher on Bun (bun-workarounds.ts).
 *
 * Why: Bun's node:crypto has no chacha20-poly1305, and the pure AssemblyScript cipher noise ships
 * runs at 23-66 MB/s here (2.8 us for a 64 B frame, 1 ms for a 64 KiB one). Every byte a node sends
 * or receives goes through it, so it was a large share of a mesh peer's and a worker's CPU.
 * OpenSSL's assembly implementation is one to two orders of magnitude faster (bench/noise-cipher).
 *
 * One EVP context per direction is reused for every message: re-initializing it with a new key and
 * nonce is all RFC 8439 needs. Decryption works in place (noise passes `dst` = the ciphertext's
 * own bytes), which OpenSSL's stream ciphers allow.
 */
import { dlopen, FFIType, type Pointer } from 'bun:ffi';
import type { ICryptoInterface } from '@libp2p/noise';

/** Debian's libssl3 (a dependency of apt itself, so present on every machine of this kind). */
export const LIBCRYPTO = 'libcrypto.so.3';

const TAG_BYTES = 16;
const EVP_CTRL_AEAD_GET_TAG = 0x10;
const EVP_CTRL_AEAD_SET_TAG = 0x11;

type Cipher = Pick<ICryptoInterface, 'chaCha20Poly1305Encrypt' | 'chaCha20Poly1305Decrypt'>;
type Bytes = Parameters<Cipher['chaCha20Poly1305Encrypt']>[0];

function open(path: string) {
  return dlopen(path, {
    EVP_chacha20_poly1305: { args: [], returns: FFIType.ptr },
    EVP_CIPHER_CTX_new: { args: [], returns: FFIType.ptr },
    EVP_CipherInit_ex: {
      args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.i32],
      returns: FFIType.i32,
    },
    EVP_CipherUpdate: {
      args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.i32],
      returns: FFIType.i32,
    },
    EVP_CipherFinal_ex: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    EVP_CIPHER_CTX_ctrl: { args: [FFIType.ptr, FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  });
}

type Lib = ReturnType<typeof open>['symbols'];

/** One direction (encrypt or decrypt) of the cipher: its own reusable EVP context. */
class Direction {
  readonly #ctx: Pointer;
  readonly #outLength = new Int32Array(1);
  readonly #scratch = new Uint8Array(TAG_BYTES);

  constructor(
    private readonly lib: Lib,
    private readonly encrypt: boolean,
  ) {
    const ctx = lib.EVP_CIPHER_CTX_new();
    const cipher = lib.EVP_chacha20_poly1305();
    if (
      ctx === null ||
      cipher === null ||
      lib.EVP_CipherInit_ex(ctx, cipher, null, null, null, encrypt ? 1 : 0) !== 1
    ) {
      throw new Error('OpenSSL has no usable chacha20-poly1305');
    }
    this.#ctx = ctx as Pointer;
  }

  /** Starts a message: key, nonce and associated data. */
  begin(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array): void {
    if (this.lib.EVP_CipherInit_ex(this.#ctx, null, null, key, nonce, this.encrypt ? 1 : 0) !== 1) {
      throw new Error('chacha20-poly1305: bad key or nonce');
    }
    if (ad.length > 0) this.#update(null, ad);
  }

  /** Runs `input` through the cipher into `output` (same length; may be the same bytes). */
  update(output: Uint8Array, input: Uint8Array): void {
    if (input.length > 0) this.#update(output, input);
  }

  /** Ends the message; false when the tag does not authenticate it (decryption). */
  finish(): boolean {
    return this.lib.EVP_CipherFinal_ex(this.#ctx, this.#scratch, this.#outLength) === 1;
  }

  getTag(tag: Uint8Array): void {
    this.#ctrl(EVP_CTRL_AEAD_GET_TAG, tag);
  }

  setTag(tag: Uint8Array): void {
    this.#ctrl(EVP_CTRL_AEAD_SET_TAG, tag);
  }

  #update(output: Uint8Array | null, input: Uint8Array): void {
    if (this.lib.EVP_CipherUpdate(this.#ctx, output, this.#outLength, input, input.length) !== 1) {
      throw new Error('chacha20-poly1305: update failed');
    }
  }

  #ctrl(type: number, tag: Uint8Array): void {
    if (this.lib.EVP_CIPHER_CTX_ctrl(this.#ctx, type, TAG_BYTES, tag) !== 1) {
      throw new Error('chacha20-poly1305: tag control failed');
    }
  }
}

/** Noise's cipher pair backed by OpenSSL, or the reason it cannot be (no library, no cipher). */
export function loadOpenSslChaCha(path = LIBCRYPTO): Cipher | Error {
  let lib: Lib;
  try {
    lib = open(path).symbols;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  let sealer: Direction;
  let opener: Direction;
  try {
    sealer = new Direction(lib, true);
    opener = new Direction(lib, false);
  } catch (err) {
    return err as Error;
  }
  return {
    chaCha20Poly1305Encrypt(
      plaintext: Bytes,
      nonce: Uint8Array,
      ad: Uint8Array,
      key: Uint8Array,
    ): Uint8Array {
      const input = plaintext.subarray();
      const sealed = new Uint8Array(input.length + TAG_BYTES);
      sealer.begin(key, nonce, ad);
      sealer.update(sealed, input);
      sealer.finish();
      sealer.getTag(sealed.subarray(input.length));
      return sealed;
    },
    chaCha20Poly1305Decrypt(
      ciphertext: Bytes,
      nonce: Uint8Array,
      ad: Uint8Array,
      key: Uint8Array,
      dst?: Uint8Array,
    ): Uint8Array {
      const sealed = ciphertext.subarray();
      if (sealed.length < TAG_BYTES) throw new Error('Invalid chacha20poly1305 decryption');
      const length = sealed.length - TAG_BYTES;
      const plain =
        dst !== undefined && dst.length >= length ? dst.subarray(0, length) : new Uint8Array(length);
      // The tag is read before the body is decrypted: in place, the body's bytes are overwritten.
      const tag = sealed.slice(length);
      opener.begin(key, nonce, ad);
      opener.update(plain, sealed.subarray(0, length));
      opener.setTag(tag);
      if (!opener.finish()) throw new Error('Invalid chacha20poly1305 decryption');
      return plain;
    },
  };
}
