import { parseBody, route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { brokerFormSchema } from '@/lib/schemas/settings'
import { testBrokerConnection } from '@/lib/services/runtime/settings-admin'

/** Admin: connect() with the submitted values and report exactly what the bridge answered. */
export const POST = route(
  async ({ req, t }) => {
    const input = await parseBody(req, brokerFormSchema, t)
    return testBrokerConnection(input, env())
  },
  { admin: true },
)
