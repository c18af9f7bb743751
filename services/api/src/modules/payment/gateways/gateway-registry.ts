import { DomainError } from '@powerbank/domain';
import type { AppDeps } from '../../../deps.ts';
import type { ExternalGateway, PaymentGateway } from './payment-gateway.ts';
import { SandboxGateway } from './sandbox-gateway.ts';
import { StripeGateway } from './stripe-gateway.ts';

export interface Gateways {
  /** Off in production unless SANDBOX_GATEWAY_ENABLED: its checkout approves any payment. */
  sandbox: SandboxGateway | null;
  stripe: StripeGateway | null;
}

const registry = new WeakMap<AppDeps, Gateways>();

/**
 * The composition root of the gateways, once per app: the sandbox when enabled
 * (it hands its webhooks to `deliverSandboxWebhook`), Stripe when its keys
 * are configured.
 */
export function createGateways(
  deps: AppDeps,
  deliverSandboxWebhook: (body: string, headers: Record<string, string>) => Promise<unknown>,
): Gateways {
  const { env } = deps;
  const gateways: Gateways = {
    sandbox: !env.SANDBOX_GATEWAY_ENABLED
      ? null
      : new SandboxGateway({
          secret: env.SANDBOX_WEBHOOK_SECRET,
          publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://${env.API_HOST}:${env.API_PORT}`,
          delayMs: env.SANDBOX_WEBHOOK_DELAY_MS,
          duplicates: env.SANDBOX_WEBHOOK_DUPLICATES,
          outOfOrder: env.SANDBOX_WEBHOOK_OUT_OF_ORDER,
          deliver: deliverSandboxWebhook,
          onDeliveryError: (error) => deps.logger.warn({ err: error }, 'sandbox webhook delivery failed'),
        }),
    stripe:
      env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET
        ? new StripeGateway({ secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET })
        : null,
  };
  registry.set(deps, gateways);
  return gateways;
}

export function gatewaysOf(deps: AppDeps): Gateways {
  const gateways = registry.get(deps);
  if (!gateways) throw new Error('payment gateways not created for this app (createGateways in createApp)');
  return gateways;
}

/** The gateway by name, or a refusal a client can read when it is unknown or not configured. */
export function gatewayNamed(deps: AppDeps, name: string): PaymentGateway {
  const gateways = gatewaysOf(deps);
  const gateway = name === 'sandbox' || name === 'stripe' ? gateways[name as ExternalGateway] : null;
  if (!gateway) throw new DomainError('NOT_FOUND', `payment gateway ${name} is not available`);
  return gateway;
}

/** Whether top-ups through `name` can work on this instance (payment methods list only these). */
export function gatewayAvailable(deps: AppDeps, name: string): boolean {
  const gateways = gatewaysOf(deps);
  return (name === 'sandbox' || name === 'stripe') && gateways[name] !== null;
}
