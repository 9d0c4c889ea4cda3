import { z } from 'zod'

/**
 * The trader's decision on a pending ex-rights adjustment (POST /api/stocks/:id/ex-rights):
 * accept (levels scaled by the factor) or dismiss (levels kept); either resumes the monitor.
 */
export const exRightsDecisionSchema = z.object({
  adjustmentId: z.number().int().positive().max(2_147_483_647),
  decision: z.enum(['accept', 'dismiss']),
})

export type ExRightsDecision = z.infer<typeof exRightsDecisionSchema>
