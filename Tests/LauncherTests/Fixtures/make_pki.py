"""A private PKI for the IAM Roles Anywhere tests, made with the cryptography package in --dir: ca.pem (the
trust anchor), with --intermediate also int.pem, and leaf.pem with its key leaf.key (mode 0600) of the
--key kind in the --format form; the leaf's serial is --serial and it is valid for --valid-seconds."""
import argparse, datetime, os
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--key", choices=["rsa", "p256", "p384"], default="rsa")
parser.add_argument("--format", choices=["pkcs8", "traditional"], default="pkcs8")
parser.add_argument("--serial", type=int, default=4242424242)
parser.add_argument("--valid-seconds", type=int, default=86400)
parser.add_argument("--intermediate", action="store_true")
args = parser.parse_args()
now = datetime.datetime.now(datetime.timezone.utc)

def new_key(kind):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1() if kind == "p256" else ec.SECP384R1())

def certificate(subject, key, issuer, issuer_key, serial, seconds, ca):
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject[0]),
                                                                 x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject[1])]))
               .issuer_name(issuer).public_key(key.public_key()).serial_number(serial)
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(seconds=seconds))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return builder.sign(issuer_key, hashes.SHA256())

def write(name, data, mode=0o644):
    path = os.path.join(args.dir, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)

ca_key = new_key("p256")
ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Roles Anywhere CA")])
ca = certificate(("Test Roles Anywhere CA", "Test"), ca_key, ca_name, ca_key, 1, 7 * 86400, True)
write("ca.pem", ca.public_bytes(serialization.Encoding.PEM))
issuer, issuer_key = ca, ca_key
if args.intermediate:
    int_key = new_key("p256")
    issuer = certificate(("Test Intermediate", "Test"), int_key, ca.subject, ca_key, 2, 7 * 86400, True)
    issuer_key = int_key
    write("int.pem", issuer.public_bytes(serialization.Encoding.PEM))
leaf_key = new_key(args.key)
leaf = certificate(("host.example", "Example Corp"), leaf_key, issuer.subject, issuer_key, args.serial, args.valid_seconds, False)
write("leaf.pem", leaf.public_bytes(serialization.Encoding.PEM))
form = serialization.PrivateFormat.PKCS8 if args.format == "pkcs8" else serialization.PrivateFormat.TraditionalOpenSSL
write("leaf.key", leaf_key.private_bytes(serialization.Encoding.PEM, form, serialization.NoEncryption()), 0o600)
