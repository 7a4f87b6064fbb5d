# Verifies every DKIM-Signature of the message on stdin with python3-dkim, an implementation independent of the
# gateway's. The public keys come from the arguments (NAME=TXT-RECORD), never from DNS.
# Prints one line per signature: PASS|FAIL d=DOMAIN s=SELECTOR a=ALGORITHM
import sys

import dkim

records = {}
for argument in sys.argv[1:]:
    name, record = argument.split("=", 1)
    records[name.lower().rstrip(".")] = record.encode("ascii")


def dnsfunc(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode("ascii")
    return records.get(name.lower().rstrip("."), b"")


message = sys.stdin.buffer.read()
checker = dkim.DKIM(message)
signatures = [value for (name, value) in checker.headers if name.lower() == b"dkim-signature"]
if not signatures:
    print("NONE")
for index, value in enumerate(signatures):
    tags = dkim.util.parse_tag_value(value)
    verdict = dkim.DKIM(message).verify(idx=index, dnsfunc=dnsfunc)
    print("%s d=%s s=%s a=%s" % ("PASS" if verdict else "FAIL", tags[b"d"].decode(), tags[b"s"].decode(),
                                 tags[b"a"].decode()))
