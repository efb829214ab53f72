#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets: corpus/pdu_decoder/ and corpus/text_keys/.

The seeds are committed; run this only to regenerate them:
    /usr/bin/python3 tests/fuzz/make_corpus.py [output directory, default tests/fuzz/corpus]

PDUs are laid out from RFC 7143 section 11 independently of the simulator's builders, so the
seeds do not change when those do. A pdu_decoder seed starts with the settings byte that
FuzzPduDecoder.cpp reads (digests, MaxRecvDataSegmentLength index, chunking).
"""
import struct
import sys
from pathlib import Path

# ---------------------------------------------------------------------------- CRC32C digests

def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table

_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def digest(data: bytes) -> bytes:
    # Least significant byte first, as PduCodec.cpp puts it on the wire.
    return struct.pack("<I", crc32c(data))

# ---------------------------------------------------------------------------- PDUs

NO_TAG = 0xFFFFFFFF


def bhs(opcode, flags=0, fields=None, immediate=False):
    """A 48-byte BHS; fields maps an offset to bytes. Lengths are filled in by pdu()."""
    b = bytearray(48)
    b[0] = opcode | (0x40 if immediate else 0)
    b[1] = flags
    for at, value in (fields or {}).items():
        b[at:at + len(value)] = value
    return b


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def pdu(header, data=b"", ahs=b"", hd=False, dd=False):
    assert len(ahs) % 4 == 0
    h = bytearray(header)
    h[4] = len(ahs) // 4
    h[5:8] = struct.pack(">I", len(data))[1:]
    out = bytes(h) + ahs
    if hd:
        out += digest(out)
    if data:
        padded = data + b"\0" * (-len(data) % 4)
        out += padded
        if dd:
            out += digest(padded)
    return out


def text(pairs):
    return b"".join(k.encode() + b"=" + v.encode() + b"\0" for k, v in pairs)


LOGIN_KEYS = [
    ("InitiatorName", "iqn.2004-01.org.iscsim:initiator"),
    ("TargetName", "iqn.2004-01.org.iscsim:ramdisk"),
    ("SessionType", "Normal"),
    ("HeaderDigest", "None,CRC32C"),
    ("DataDigest", "None,CRC32C"),
    ("MaxRecvDataSegmentLength", "8192"),
    ("InitialR2T", "Yes"),
    ("ImmediateData", "Yes"),
    ("MaxBurstLength", "262144"),
    ("FirstBurstLength", "65536"),
    ("MaxConnections", "1"),
    ("ErrorRecoveryLevel", "0"),
]


def login_request(hd=False, dd=False):
    # T=1, CSG=Operational (1), NSG=FullFeature (3); ISID of the random format.
    h = bhs(0x03, 0x80 | (1 << 2) | 3, {
        2: b"\x00\x00",  # Version-max, Version-min
        8: bytes([0x80, 0, 0, 0, 0, 0x01]) + u16(0),  # ISID, TSIH
        16: u32(0),  # ITT
        20: u16(1),  # CID
        24: u32(1),  # CmdSN
        28: u32(0),  # ExpStatSN
    }, immediate=True)
    return pdu(h, text(LOGIN_KEYS), hd=hd, dd=dd)


def cdb10(opcode, lba, blocks):
    return bytes([opcode, 0]) + u32(lba) + b"\0" + u16(blocks) + b"\0" + b"\0" * 6


def scsi_command(flags, itt, length, cdb, data=b"", ahs=b"", hd=False, dd=False):
    h = bhs(0x01, flags, {8: u64(0), 16: u32(itt), 20: u32(length), 24: u32(itt), 28: u32(1), 32: cdb})
    return pdu(h, data, ahs=ahs, hd=hd, dd=dd)


def read10(hd=False, dd=False):
    # F, R, ATTR=Simple; 8 blocks of 512 bytes from LBA 64.
    return scsi_command(0x80 | 0x40 | 0x01, 0x10, 4096, cdb10(0x28, 64, 8), hd=hd, dd=dd)


def write10(hd=False, dd=False):
    # F, W, ATTR=Simple; one block written as immediate data.
    block = bytes((i * 7 + 3) & 0xFF for i in range(512))
    return scsi_command(0x80 | 0x20 | 0x01, 0x11, 512, cdb10(0x2A, 128, 1), block, hd=hd, dd=dd)


def bidi_with_ahs(hd=False):
    # A bidirectional command with a Bidirectional Read Expected Data Transfer Length AHS
    # (section 11.2.1.5: AHSLength 5, type 2, reserved, the length).
    ahs = u16(5) + b"\x02\x00" + u32(4096)
    return scsi_command(0x80 | 0x40 | 0x20 | 0x01, 0x12, 512, cdb10(0x28, 0, 1), ahs=ahs, hd=hd)


def data_in(hd=False, dd=False):
    # F and S: the last Data-In carries GOOD status.
    h = bhs(0x25, 0x80 | 0x01, {3: b"\x00", 8: u64(0), 16: u32(0x10), 20: u32(NO_TAG), 24: u32(2),
                                28: u32(3), 32: u32(34), 36: u32(0), 40: u32(0), 44: u32(0)})
    return pdu(h, bytes((i * 13) & 0xFF for i in range(512)), hd=hd, dd=dd)


def r2t(hd=False):
    h = bhs(0x31, 0x80, {8: u64(0), 16: u32(0x11), 20: u32(0x100), 24: u32(3), 28: u32(3), 32: u32(34),
                         36: u32(0), 40: u32(512), 44: u32(65536)})
    return pdu(h, hd=hd)


def nop_out(hd=False, dd=False, ping=b""):
    h = bhs(0x00, 0x80, {8: u64(0), 16: u32(0x20), 20: u32(NO_TAG), 24: u32(4), 28: u32(3)}, immediate=True)
    return pdu(h, ping, hd=hd, dd=dd)


def settings(hd=False, dd=False, max_index=0, chunking=0):
    """The first byte of a pdu_decoder seed. max_index 0 is 8192 bytes, 1 is 512 (see kMaxData)."""
    return bytes([int(hd) | int(dd) << 1 | max_index << 2 | chunking << 5])


def pdu_seeds():
    both = dict(hd=True, dd=True)
    return {
        "login_request": settings() + login_request(),
        "login_request_digests_chunked": settings(True, True, chunking=1) + login_request(**both),
        "read10": settings(chunking=2) + read10(),
        "write10_immediate": settings() + write10(),
        "write10_immediate_digests": settings(True, True, chunking=3) + write10(**both),
        "data_in": settings(max_index=1) + data_in(),
        "data_in_digests": settings(True, True, max_index=1) + data_in(**both),
        "r2t": settings() + r2t(),
        "nop_out_header_digest": settings(hd=True) + nop_out(hd=True),
        "command_with_ahs": settings(chunking=2) + bidi_with_ahs(),
        # A full exchange on one connection, fed in chunks of 1-256 bytes.
        "session_stream_digests": settings(True, True, chunking=4) + login_request(**both)
        + write10(**both) + r2t(hd=True) + read10(**both) + data_in(**both) + nop_out(**both, ping=b"ping"),
        # 516 bytes of ping data against MaxRecvDataSegmentLength=512: a protocol error.
        "nop_out_too_long": settings(max_index=1) + nop_out(ping=bytes(516)) + nop_out(),
    }

# ---------------------------------------------------------------------------- text segments

def text_seeds():
    return {
        "login_keys": text(LOGIN_KEYS + [("InitiatorAlias", "host1"), ("AuthMethod", "None")]),
        "operational_keys": text([
            ("DefaultTime2Wait", "2"), ("DefaultTime2Retain", "20"), ("MaxOutstandingR2T", "1"),
            ("DataPDUInOrder", "Yes"), ("DataSequenceInOrder", "Yes"), ("IFMarker", "No"),
            ("OFMarker", "No"), ("iSCSIProtocolLevel", "1"), ("TaskReporting", "RFC3720"),
            ("TargetPortalGroupTag", "1"), ("TargetAlias", ""), ("X-org.iscsim.private", "1"),
        ]) + b"\0\0\0",  # padding after the last pair
        "discovery": text([("InitiatorName", "iqn.2004-01.org.iscsim:initiator"),
                           ("SessionType", "Discovery"), ("SendTargets", "All")]),
        "duplicate_keys": text([("HeaderDigest", "None"), ("MaxRecvDataSegmentLength", "8192"),
                                ("HeaderDigest", "CRC32C"), ("MaxRecvDataSegmentLength", "262144")]),
        "odd_values": text([
            ("HeaderDigest", ",CRC32C,,None"), ("DataDigest", "Bogus"), ("MaxConnections", "0"),
            ("ErrorRecoveryLevel", "5"), ("InitialR2T", "Maybe"), ("ImmediateData", "No"),
            ("MaxBurstLength", "4294967296"), ("FirstBurstLength", "-1"), ("DefaultTime2Wait", "3601"),
            ("MaxRecvDataSegmentLength", "511"), ("AuthMethod", "CHAP,None"), ("TargetName", "a=b=c"),
        ]),
        "overlong_key": text([("SessionType", "Normal"), ("K" * 64, "1")]),
        "overlong_value": text([("TargetAlias", "v" * 8193)]),
        "missing_equals": text([("InitiatorName", "iqn.2004-01.org.iscsim:initiator")]) + b"SessionType\0",
        "not_nul_terminated": text([("HeaderDigest", "None")]) + b"DataDigest=CRC32C",
    }


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "corpus"
    for sub, seeds in (("pdu_decoder", pdu_seeds()), ("text_keys", text_seeds())):
        d = out / sub
        d.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (d / name).write_bytes(data)
        print(f"{d}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
