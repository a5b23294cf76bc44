import bcrypt from 'bcrypt';

// Account and room passwords share one cost; the async API keeps the event loop free.
const BCRYPT_COST = 10;

export const hashPassword = (plain: string): Promise<string> => bcrypt.hash(plain, BCRYPT_COST);
export const verifyPassword = (plain: string, hash: string): Promise<boolean> => bcrypt.compare(plain, hash);
/** A hash to compare against when there is none, so a miss takes as long as a wrong password. */
export const UNUSABLE_HASH = bcrypt.hashSync('not-a-real-password', BCRYPT_COST);
