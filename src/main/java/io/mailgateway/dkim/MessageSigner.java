package io.mailgateway.dkim;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.mail.MessagingException;

import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;
import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenant.WithoutDkimKey;
import io.mailgateway.tenant.Tenants;

/**
 * Signs a final message with the DKIM keys of its From domain (both, when the domain has an RSA and an Ed25519 key),
 * or sends it unsigned or refuses it when the domain has none, as its tenant or the gateway says.
 */
public final class MessageSigner {

    public static final String SENDER_NOT_ALLOWED = "sender-not-allowed";

    private final DkimKeys keys;
    private final Tenants tenants;
    private final WithoutDkimKey withoutKey;
    private final Clock clock;

    /**
     * @param withoutKey what to do with mail from a domain without a key when its tenant does not say
     */
    public MessageSigner(DkimKeys keys, Tenants tenants, WithoutDkimKey withoutKey, Clock clock) {
        this.keys = keys;
        this.tenants = tenants;
        this.withoutKey = withoutKey;
        this.clock = clock;
    }

    /**
     * The message to submit: signed, or {@code message} itself when its domain has no key and unsigned mail may go.
     *
     * @throws RequestRejectedException ({@code sender-not-allowed}) when the domain has no key and the tenant, or the
     *                                  gateway, refuses unsigned mail
     */
    public OutboundMessage sign(OutboundMessage message, MailRequest request) {
        String domain = domainOf(request.from().address());
        List<DkimKey> signing = keys.signingKeys(domain);
        if (signing.isEmpty()) {
            if (policy(request) == WithoutDkimKey.REFUSE) {
                throw new RequestRejectedException(SENDER_NOT_ALLOWED, "the sender domain " + domain
                        + " has no DKIM key, and unsigned mail is refused", request.id(), request.tags());
            }
            return message;
        }
        try {
            SignedMessage signed = new SignedMessage(message);
            byte[] sent = signed.bytesSent();
            List<String> signatures = new ArrayList<>();
            for (DkimKey key : signing) {
                signatures.add(DkimSignature.sign(key, sent, clock.instant()));
            }
            signed.putOnTop(signatures);
            return signed;
        } catch (MessagingException e) {
            throw new IllegalStateException("The message of request " + request.id() + " cannot be signed", e);
        }
    }

    private WithoutDkimKey policy(MailRequest request) {
        String tenantId = request.tags().get("tenant");
        return (tenantId == null ? java.util.Optional.<Tenant>empty() : tenants.find(tenantId))
                .map(Tenant::withoutDkimKey).orElse(withoutKey);
    }

    private static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
}
