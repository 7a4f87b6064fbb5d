#!/usr/bin/env bash
# Installs and starts Postfix as a submission relay on 127.0.0.1:2587 for the interoperability test and the
# benchmark: STARTTLS required, SASL AUTH required (user RELAY_USER, default "gateway", password RELAY_PASSWORD),
# local delivery to mailuser@gw.test's Maildir, mail to sink.test accepted and discarded (the benchmark's load),
# everything else refused. Loopback clients are exempt from Postfix's per-client connection limits, and up to
# 100 (default_process_limit) connections are served at once. It reconfigures the machine's MTA, so it only runs
# on a disposable CI machine.
set -euo pipefail
if [ "${CI:-}" != "true" ] && [ "${MAIL_GATEWAY_DISPOSABLE_MACHINE:-}" != "true" ]; then
  echo "refusing to reconfigure this machine's MTA: set CI=true or MAIL_GATEWAY_DISPOSABLE_MACHINE=true" >&2
  exit 1
fi
: "${RELAY_PASSWORD:?set RELAY_PASSWORD}"
RELAY_USER="${RELAY_USER:-gateway}"

export DEBIAN_FRONTEND=noninteractive
if ! command -v postfix >/dev/null 2>&1 || ! command -v saslpasswd2 >/dev/null 2>&1; then
  echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
  echo "postfix postfix/mailname string gw.test" | debconf-set-selections
  apt-get update -q
  apt-get install -y -q --no-install-recommends postfix libsasl2-modules sasl2-bin openssl ca-certificates
fi

# A certificate for DNS:localhost; the gateway trusts it through SMTP_TRUST_CA_FILE. Kept while it is valid for
# another day, so a client that already trusts it keeps working when the relay is set up again.
if ! openssl x509 -checkend 86400 -noout -in /etc/postfix/relay-cert.pem >/dev/null 2>&1; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost" -addext "basicConstraints=critical,CA:TRUE" \
    -keyout /etc/postfix/relay-key.pem -out /etc/postfix/relay-cert.pem 2>/dev/null
  chmod 600 /etc/postfix/relay-key.pem
fi
id mailuser >/dev/null 2>&1 || useradd -m -s /usr/sbin/nologin mailuser
printf '%s\n' "$RELAY_PASSWORD" | saslpasswd2 -p -c -u gw.test -a smtpd "$RELAY_USER"
adduser postfix sasl >/dev/null
mkdir -p /etc/postfix/sasl
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\n' > /etc/postfix/sasl/smtpd.conf
echo 'sink.test discard:' > /etc/postfix/transport
postconf -e 'maillog_file=/var/log/postfix.log' 'home_mailbox=Maildir/' \
  'myhostname=mx.gw.test' 'mydomain=gw.test' 'mydestination=gw.test, localhost' \
  'inet_interfaces=loopback-only' 'default_transport=error:outside mail is not sent here' \
  'smtpd_tls_cert_file=/etc/postfix/relay-cert.pem' 'smtpd_tls_key_file=/etc/postfix/relay-key.pem' \
  'smtpd_sasl_type=cyrus' 'smtpd_sasl_path=smtpd' 'cyrus_sasl_config_path=/etc/postfix/sasl' \
  'smtpd_sasl_local_domain=gw.test' 'transport_maps=texthash:/etc/postfix/transport'
postconf -M '127.0.0.1:2587/inet=127.0.0.1:2587 inet n - n - - smtpd'
postconf -P '127.0.0.1:2587/inet/syslog_name=postfix/submission' \
  '127.0.0.1:2587/inet/smtpd_tls_security_level=encrypt' \
  '127.0.0.1:2587/inet/smtpd_tls_auth_only=yes' \
  '127.0.0.1:2587/inet/smtpd_sasl_auth_enable=yes' \
  '127.0.0.1:2587/inet/smtpd_client_restrictions=permit_sasl_authenticated,reject' \
  '127.0.0.1:2587/inet/smtpd_relay_restrictions=permit_sasl_authenticated,reject'
newaliases
postfix check
if postfix status >/dev/null 2>&1; then postfix reload; else postfix start; fi

for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/2587) 2>/dev/null; then echo "postfix listens on 127.0.0.1:2587"; exit 0; fi
  sleep 0.2
done
echo "postfix did not start listening on 127.0.0.1:2587" >&2
tail -20 /var/log/postfix.log >&2 || true
exit 1
