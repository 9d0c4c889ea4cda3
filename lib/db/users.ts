import { getDb } from './client'
import { writeTx } from './tx'
import { writeAudit } from './audit'

export type Role = 'ADMIN' | 'USER'

export function countUsers(): Promise<number> {
  return getDb().user.count()
}

export function findUserByEmail(email: string) {
  return getDb().user.findUnique({ where: { email: email.toLowerCase() } })
}

export function getUser(id: number) {
  return getDb().user.findUnique({ where: { id } })
}

export class SetupAlreadyDoneError extends Error {}

/**
 * Creates the first admin exactly once: the `setup.completed` setting row is the lock, so two
 * simultaneous setup requests cannot both create an admin.
 */
export async function createFirstAdmin(email: string, passwordHash: string) {
  const db = getDb()
  return writeTx(db, async (tx) => {
    if ((await tx.user.count()) > 0) throw new SetupAlreadyDoneError()
    await tx.setting.create({ data: { key: 'setup.completed', value: true, updatedBy: email } })
    const user = await tx.user.create({ data: { email: email.toLowerCase(), passwordHash, role: 'ADMIN' } })
    await writeAudit(tx, { actorId: user.id, actor: `user:${user.id}`, action: 'setup.createAdmin', entity: 'User', entityId: user.id, after: { email: user.email, role: user.role } })
    return user
  })
}

export async function createUser(email: string, passwordHash: string, role: Role = 'USER') {
  return getDb().user.create({ data: { email: email.toLowerCase(), passwordHash, role } })
}

export async function setUserLocale(id: number, locale: string) {
  await getDb().user.update({ where: { id }, data: { locale } })
}

export async function setUserPassword(id: number, passwordHash: string) {
  await getDb().user.update({ where: { id }, data: { passwordHash } })
}
