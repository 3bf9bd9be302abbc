/**
 * Every scenario id the features have, and which offer of a profile each needs, both read from
 * the features: the ids from their @id: tags, the offer from the step that asks for it (a
 * container network, a DHCP network: OFFER_STEPS in support/scenario/offers.ts, the phrases the
 * steps register). The verdicts the lab test expects come from the profiles themselves
 * (targets/docker.yaml, podman.yaml): deviates where the profile declares a deviation (and the
 * failure matches its step and observed), not-applicable where it lacks the offer the scenario
 * needs, conforms otherwise.
 */
import { featurePickles, scenarioId } from '../../support/scenario-id'
import { neededOffers } from '../../support/scenario/offers'
import { TRUST_LEVEL_STEP } from '../../support/scenario/deployment'
import type { Offers } from '../../support/types'
import { WHOLE_ENDPOINT } from '../../support/holds/tags'

const scenarios = featurePickles().map((pickle) => ({
  id: scenarioId(pickle.tags)!,
  offers: neededOffers(pickle.steps),
  trust: pickle.steps.some((s) => s.text === TRUST_LEVEL_STEP),
  wholeEndpoint: pickle.tags.some((t) => t.name === `@exclusive:${WHOLE_ENDPOINT}`),
}))

/**
 * The scenarios that hold the whole endpoint (they stop its control plane): the lab test's runs leave
 * them out (its decoys and its runs side by side on one endpoint would keep them from running);
 * test/lab/control-plane.test.ts runs them on each endpoint alone.
 */
export const WHOLE_ENDPOINT_IDS: ReadonlySet<string> = new Set(
  scenarios.filter((s) => s.wholeEndpoint).map((s) => s.id),
)
export const WITHOUT_WHOLE_ENDPOINT = `not @exclusive:${WHOLE_ENDPOINT}`

/** The scenario ids of features/, in the features' order. */
export const SCENARIO_IDS: readonly string[] = scenarios.map((s) => s.id)

/** The scenarios that need offers beyond plain bridges, and which, in the order their steps ask. */
export const NEEDS_OFFERS: Readonly<Record<string, readonly (keyof Offers)[]>> = Object.fromEntries(
  scenarios.flatMap(({ id, offers }) => (offers.length ? [[id, offers]] : [])),
)

/**
 * The scenarios that read the container network's trust level (TRUST_LEVEL_STEP): not applicable
 * where the profile's deployment.containerNetworkFirewall lets nothing in from the outside.
 */
export const NEEDS_TRUST_LEVEL: ReadonlySet<string> = new Set(scenarios.filter((s) => s.trust).map((s) => s.id))
