import { z } from 'zod'

export const setupSchema = z
  .object({
    email: z.string().trim().toLowerCase().email({ message: 'email.invalid' }),
    password: z.string().min(8, { message: 'password.tooShort' }).max(200, { message: 'text.tooLong' }),
    passwordConfirm: z.string(),
  })
  .refine((v) => v.password === v.passwordConfirm, { path: ['passwordConfirm'], message: 'password.mismatch' })

export const localeSchema = z.object({ locale: z.enum(['zh', 'en'], { message: 'enum.invalid' }) })
