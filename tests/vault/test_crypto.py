"""The crypto wrapper: round trips, opaque failures, and the Wycheproof AES-GCM vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vault import crypto
from vault.errors import CryptoError

VECTORS = Path(__file__).parents[1] / "vectors" / "wycheproof" / "aes_gcm_test.json"
KEY = bytes(range(32))
AAD = crypto.slot_aad("p1", "fields", "f1", "value")


def test_seal_round_trip_and_format():
    blob = crypto.seal(KEY, b"hello", AAD)
    assert blob[0] == crypto.BLOB_VERSION
    assert len(blob) == 1 + 12 + 5 + 16
    assert crypto.unseal(KEY, blob, AAD) == b"hello"
    assert crypto.seal(KEY, b"hello", AAD) != blob  # random nonce


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # tag
        lambda b: b[:14] + bytes([b[14] ^ 1]) + b[15:],  # ciphertext/nonce
        lambda b: bytes([2]) + b[1:],  # unknown version
        lambda b: b[:20],  # truncated
        lambda b: b"",
    ],
    ids=["tag", "body", "version", "truncated", "empty"],
)
def test_tampered_blob_fails_opaquely(mutate):
    blob = crypto.seal(KEY, b"hello world", AAD)
    with pytest.raises(CryptoError) as info:
        crypto.unseal(KEY, mutate(blob), AAD)
    assert str(info.value) == "sealed data could not be opened"
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


@pytest.mark.parametrize("plain", [b'{"a":1} ', b' {"a":1}', b'{"a":1}{}', b'', b'\xff"a"',
                                   b'{"a":', b'"\xed\xa0\x80"'])
def test_a_slot_is_one_json_value_in_utf8_and_nothing_else(plain):
    key = crypto.new_key()
    slot = ("p", "fields", "r", "body")
    assert crypto.open_json(key, crypto.seal_json(key, {"a": [1, "ü"]}, *slot), *slot) == {
        "a": [1, "ü"]}
    with pytest.raises(CryptoError):
        crypto.open_json(key, crypto.seal(key, plain, crypto.slot_aad(*slot)), *slot)


def test_wrong_aad_or_key_fails():
    blob = crypto.seal(KEY, b"x", AAD)
    with pytest.raises(CryptoError):
        crypto.unseal(KEY, blob, crypto.slot_aad("p2", "fields", "f1", "value"))
    with pytest.raises(CryptoError):
        crypto.unseal(bytes(32), blob, AAD)
    with pytest.raises(CryptoError):
        crypto.seal(KEY[:16], b"x", AAD)


def test_key_wrap_is_bound_to_its_aad():
    wrapped = crypto.wrap_key(KEY, b"k" * 32, b"datakey|p1|1")
    assert crypto.unwrap_key(KEY, wrapped, b"datakey|p1|1") == b"k" * 32
    with pytest.raises(CryptoError):
        crypto.unwrap_key(KEY, wrapped, b"datakey|p2|1")


def test_derive_gives_independent_keys():
    assert crypto.derive(KEY, b"a") != crypto.derive(KEY, b"b")
    assert len(crypto.derive(KEY, b"a")) == 32


def test_wycheproof_aes_gcm_vectors():
    """256-bit key / 96-bit IV vectors open or fail as stated; all others are refused."""
    doc = json.loads(VECTORS.read_text())
    counts = {"valid": 0, "invalid": 0, "refused": 0}
    for group in doc["testGroups"]:
        for t in group["tests"]:
            key, iv = bytes.fromhex(t["key"]), bytes.fromhex(t["iv"])
            aad, msg = bytes.fromhex(t["aad"]), bytes.fromhex(t["msg"])
            data = bytes.fromhex(t["ct"]) + bytes.fromhex(t["tag"])
            sizes = (group["keySize"], group["ivSize"], group["tagSize"])
            supported = sizes == (256, 96, 128)
            if not supported:
                with pytest.raises(CryptoError):
                    crypto.unseal_parts(key, iv, data, aad)
                counts["refused"] += 1
            elif t["result"] == "valid":
                blob = bytes([crypto.BLOB_VERSION]) + iv + data
                assert crypto.unseal(key, blob, aad) == msg, t["tcId"]
                assert crypto.unseal_parts(key, iv, data, aad) == msg, t["tcId"]
                counts["valid"] += 1
            else:
                assert t["result"] == "invalid", t["tcId"]
                with pytest.raises(CryptoError):
                    crypto.unseal(key, bytes([crypto.BLOB_VERSION]) + iv + data, aad)
                counts["invalid"] += 1
    assert doc["numberOfTests"] == sum(counts.values()) == 316
    assert counts == {"valid": 39, "invalid": 27, "refused": 250}


@pytest.mark.parametrize("length", [1, 16, 32, 33, 64])
@pytest.mark.parametrize("info", [b"", b"custos audit chain v1", b"x" * 300])
def test_derive_is_rfc5869_hkdf(info, length):
    """The two-HMAC shortcut gives `cryptography`'s HKDF-SHA256 output, byte for byte."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    expected = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(KEY)
    assert crypto.derive(KEY, info, length) == expected


def test_derive_matches_rfc5869_test_case_3():
    """RFC 5869 appendix A.3 (SHA-256, no salt, no info), first 32 of its 42 bytes."""
    okm = bytes.fromhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                        "9d201395faa4b61a96c8")
    assert crypto.derive(bytes.fromhex("0b" * 22), b"", 32) == okm[:32]
    assert crypto.derive(bytes.fromhex("0b" * 22), b"", 42) == okm
