// The device this browser profile holds (one at most), kept in IndexedDB. Its private key is a
// non-extractable CryptoKey: IndexedDB stores the key object, never its bytes.

/**
 * @typedef {{deviceId: string, userId: string, origin: string, name: string,
 *   privateKey: CryptoKey, publicKey: CryptoKey, createdAt: number, locale?: 'ja' | 'en'}} Device
 */

const DB_NAME = 'sekisho-push';
const STORE = 'device';
const KEY = 'current';

/** @returns {Promise<IDBDatabase>} */
function openDb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

/**
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} operation
 * @returns {Promise<T>}
 */
async function withStore(mode, operation) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

/** @returns {Promise<Device | undefined>} */
export const loadDevice = () => withStore('readonly', (store) => store.get(KEY));
/** @param {Device} device CryptoKeys are structured-cloneable: the private key never leaves as bytes. */
export const saveDevice = (device) => withStore('readwrite', (store) => store.put(device, KEY));
export const deleteDevice = () => withStore('readwrite', (store) => store.delete(KEY));
