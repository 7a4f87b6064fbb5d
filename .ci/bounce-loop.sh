#!/usr/bin/env bash
# Completes the loop a mail takes after the relay's 250, on the Postfix that .ci/postfix-relay.sh set up (run that
# first): mail to bounce.test is accepted by the submission service, then refused with 550 5.1.1 by a second smtpd
# of the same Postfix on 127.0.0.1:2530, so Postfix returns a real RFC 3464 report to the envelope sender. Return
# paths of the bounce domain bounce.gw.test (bounces+TOKEN@bounce.gw.test) all land in the Maildir of the local
# user "bounces", which Dovecot serves over IMAPS on 127.0.0.1:9993 (plain IMAP off) with a certificate for
# DNS:localhost; the gateway trusts it through GATEWAY_BOUNCE_MAILBOX_TRUST_CA_FILE. The mailbox password is
# BOUNCE_MAILBOX_PASSWORD. Running it again is harmless. It reconfigures the machine's MTA and IMAP server, so it
# only runs on a disposable CI machine.
set -euo pipefail
if [ "${CI:-}" != "true" ] && [ "${MAIL_GATEWAY_DISPOSABLE_MACHINE:-}" != "true" ]; then
  echo "refusing to reconfigure this machine's MTA: set CI=true or MAIL_GATEWAY_DISPOSABLE_MACHINE=true" >&2
  exit 1
fi
: "${BOUNCE_MAILBOX_PASSWORD:?set BOUNCE_MAILBOX_PASSWORD}"
if ! postfix status >/dev/null 2>&1; then
  echo "Postfix is not running: run .ci/postfix-relay.sh first" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v dovecot >/dev/null 2>&1 || [ ! -x /usr/lib/dovecot/imap ]; then
  apt-get install -y -q --no-install-recommends dovecot-imapd \
    || { apt-get update -q && apt-get install -y -q --no-install-recommends dovecot-imapd; }
fi

# Postfix: bounce.test goes to the refusing smtpd. Its own transport file, so the relay script's stays as it wrote it.
echo 'bounce.test smtp:[127.0.0.1]:2530' > /etc/postfix/bounce-loop-transport
echo 'bounce.test 550 5.1.1 no such user at bounce.test' > /etc/postfix/bounce-loop-refuse
echo '@bounce.gw.test bounces@gw.test' > /etc/postfix/bounce-loop-virtual
id bounces >/dev/null 2>&1 || useradd -m -s /usr/sbin/nologin bounces
postconf -e 'transport_maps=texthash:/etc/postfix/transport, texthash:/etc/postfix/bounce-loop-transport' \
  'virtual_alias_maps=texthash:/etc/postfix/bounce-loop-virtual'
# A different myhostname, or Postfix takes the greeting of its own second service for a mail loop.
postconf -M '127.0.0.1:2530/inet=127.0.0.1:2530 inet n - n - - smtpd'
postconf -P '127.0.0.1:2530/inet/syslog_name=postfix/bounce-test' \
  '127.0.0.1:2530/inet/myhostname=mx.bounce.test' \
  '127.0.0.1:2530/inet/smtpd_recipient_restrictions=check_recipient_access,texthash:/etc/postfix/bounce-loop-refuse' \
  '127.0.0.1:2530/inet/smtpd_relay_restrictions=permit_mynetworks,reject'
# The gateway, logged in as itself, sends from bounces+TOKEN@bounce.gw.test: no sender-login check in the way.
postconf -P '127.0.0.1:2587/inet/smtpd_sender_restrictions='
postfix check
postfix reload

# Dovecot: a configuration of its own (not Debian's, which listens on 143 and 993), started without systemd.
conf_dir=/etc/dovecot/bounce-loop
mkdir -p "$conf_dir"
if ! openssl x509 -checkend 86400 -noout -in "$conf_dir/cert.pem" >/dev/null 2>&1; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost" -addext "basicConstraints=critical,CA:TRUE" \
    -keyout "$conf_dir/key.pem" -out "$conf_dir/cert.pem" 2>/dev/null
  chmod 600 "$conf_dir/key.pem"
fi
hash=$(printf '%s' "$BOUNCE_MAILBOX_PASSWORD" | openssl passwd -6 -stdin)
umask 027
printf 'bounces:{SHA512-CRYPT}%s\n' "$hash" > "$conf_dir/users"
chgrp dovecot "$conf_dir/users"
umask 022
ssl_dh=""
[ -f /usr/share/dovecot/dh.pem ] && ssl_dh="ssl_dh = </usr/share/dovecot/dh.pem"
cat > "$conf_dir/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = /run/dovecot-bounce-loop
log_path = /var/log/dovecot-bounce-loop.log
ssl = required
ssl_cert = <$conf_dir/cert.pem
ssl_key = <$conf_dir/key.pem
$ssl_dh
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain
mail_location = maildir:~/Maildir
first_valid_uid = 100
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = 9993
    ssl = yes
  }
}
passdb {
  driver = passwd-file
  args = $conf_dir/users
}
userdb {
  driver = passwd
}
EOF
install -d -o bounces -g bounces -m 700 /home/bounces/Maildir /home/bounces/Maildir/new /home/bounces/Maildir/cur \
  /home/bounces/Maildir/tmp
pid_file=/run/dovecot-bounce-loop/master.pid
# Its master keeps the standard streams open: detached from them, so whoever reads this script's output sees it end.
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  dovecot -c "$conf_dir/dovecot.conf" reload
else
  dovecot -c "$conf_dir/dovecot.conf" </dev/null >/dev/null 2>>/var/log/dovecot-bounce-loop.log
fi

for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/9993) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/2530) 2>/dev/null; then
    echo "bounce loop ready: bounce.test refused on 127.0.0.1:2530, bounce mailbox on imaps://localhost:9993"
    exit 0
  fi
  sleep 0.2
done
echo "the bounce loop did not start listening on 127.0.0.1:2530 and 127.0.0.1:9993" >&2
tail -20 /var/log/postfix.log /var/log/dovecot-bounce-loop.log >&2 || true
exit 1
