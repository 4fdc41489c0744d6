#!/usr/bin/env python3
"""Generate a large realistic syslog for bench/usb.sh: RFC 3339 stamps with printk times (rsyslog's
default on Debian 12 / UOS 23, and the form usbrip reads with years), mostly non-USB lines of a desktop
(systemd, NetworkManager, CRON, gnome-shell, audit, …) with N storage connections of the devices in
tests/fixtures/usb/make.py plus keyboards, mice, hubs, an MTP phone and an RNDIS gadget, reboots in
between, and udisksd mounts.

    python3 bench/usb_gen.py --out /tmp/usb-bench/syslog --mb 1000 --connections 400 --seed 7

Writes the file and FILE.expected: the (vid, pid, serial) of every storage device connected.
"""
import argparse
import datetime as dt
import importlib.util
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("make", os.path.join(HERE, "..", "tests", "fixtures", "usb", "make.py"))
make = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make)

# Device makers: (maker, storage?, vid, pid, serial). Devices whose descriptors lack a Product or
# Manufacturer line (make.external_uas, make.innostor_only_serial) are left out: usbrip's reader then
# drops the serial, so the device sets could not be compared (see BENCHMARKS.md).
def sandisk(p, n, h, d): return make.sandisk(p, n, h, d)
def sandisk2(p, n, h, d): return make.sandisk(p, n, h, d, serial="20052741810EB3A1C2F7")
def kingston3(p, n, h, d): return make.kingston_dt3(p, n, h, d)
def kingston120(p, n, h, d): return make.kingston_dt120(p, n, h, d)
def jms(p, n, h, d): return make.jms579(p, n, h, d)
def reader(p, n, h, d): return make.genesys_reader(p, n, h)
def phone_ums(p, n, h, d): return make.mediatek_phone(p, n, h)
def alcor(p, n, h, d): return make.alcor_no_serial(p, n, h, d)
def t5(p, n, h, d): return make.samsung_t5(p, n, h, d)
def keyboard(p, n, h, d): return make.dell_keyboard(p, n)
def hub(p, n, h, d): return make.via_hub(p, n)
def mtp(p, n, h, d): return make.moto_mtp(p, n)
def rndis(p, n, h, d): return make.artosyn_rndis(p, n)

STORAGE = [
    (sandisk, "0781", "5567", "4C530001230815117543"),
    (sandisk2, "0781", "5567", "20052741810EB3A1C2F7"),
    (kingston3, "0951", "1666", "E0D55EA574E8F370A9550F2B"),
    (kingston120, "0930", "6544", "001E4F923A63C910A5430647"),
    (jms, "152d", "0578", "191951815235"),
    (reader, "05e3", "0764", "GLI000000001"),
    (phone_ums, "1004", "0002", "530669805539780"),
    (alcor, "058f", "6387", None),
    (t5, "04e8", "61f5", "1234567DE09B"),
]
OTHER = [keyboard, hub, mtp, rndis]

NOISE = [
    ("systemd[1]", "Starting systemd-tmpfiles-clean.service - Cleanup of Temporary Directories..."),
    ("systemd[1]", "systemd-tmpfiles-clean.service: Deactivated successfully."),
    ("systemd[1]", "Finished systemd-tmpfiles-clean.service - Cleanup of Temporary Directories."),
    ("systemd[1]", "Started session-{n}.scope - Session {n} of User zhang."),
    ("systemd-logind[689]", "New session {n} of user zhang."),
    ("CRON[{pid}]", "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"),
    ("NetworkManager[734]", "<info>  [1764036062.{n}] dhcp4 (enp3s0): state changed new lease, address=10.12.3.45"),
    ("NetworkManager[734]", "<info>  [1764036062.{n}] manager: NetworkManager state is now CONNECTED_SITE"),
    ("kernel", "[{up}] audit: type=1400 audit(1764036062.120:{n}): apparmor=\"DENIED\" operation=\"open\" class=\"file\" profile=\"snap.cups.cupsd\" name=\"/etc/ssl/openssl.cnf\" pid={pid} comm=\"cupsd\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0"),
    ("kernel", "[{up}] r8169 0000:03:00.0 enp3s0: Link is Up - 1Gbps/Full - flow control rx/tx"),
    ("gnome-shell[1523]", "Window manager warning: Overwriting existing binding of keysym 31 with keysym 31 (keycode a)."),
    ("dbus-daemon[701]", "[system] Successfully activated service 'org.freedesktop.PackageKit'"),
    ("PackageKit[2311]", "daemon start"),
    ("rsyslogd[640]", "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" x-pid=\"640\" x-info=\"https://www.rsyslog.com\"] rsyslogd was HUPed"),
    ("dde-session-daemon[1422]", "<info> power: onBatteryChanged: false"),
    ("systemd-resolved[612]", "Clock change detected. Flushing caches."),
    ("anacron[2290]", "Job `cron.daily' terminated"),
    ("udisksd[812]", "Cleaning up mount point /media/zhang/OLD (device 8:17 is not mounted)"),
]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=int, default=1000)
    ap.add_argument("--connections", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    tz = dt.timezone(dt.timedelta(hours=8))
    t = dt.datetime(2026, 5, 1, 8, 0, 0, tzinfo=tz)
    target = a.mb * 1_000_000
    # Spread the USB events evenly over the file.
    events = sorted(rnd.random() for _ in range(a.connections))
    written, up, n, num, host, ev_i = 0, 5.0, 0, 2, 6, 0
    seen = set()
    with open(a.out, "w", encoding="utf-8") as f:
        buf = []
        def emit(tag, msg):
            nonlocal written
            line = f"{t.isoformat(timespec='microseconds')} uos-pc {tag}: {msg}\n"
            buf.append(line)
            written += len(line)
        while written < target:
            if ev_i < len(events) and written >= events[ev_i] * target:
                ev_i += 1
                if rnd.random() < 0.05:  # a reboot
                    up = 0.5
                    emit("kernel", f"[{up:12.6f}] Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)")
                    num, host = 2, 6
                port = f"{rnd.choice([1, 2, 3])}-{rnd.choice([1, 2, 3, 4])}"
                num += 1
                host += 1
                disk = "sd" + "bcdefg"[host % 6]
                if rnd.random() < 0.8:
                    maker, vid, pid, serial = rnd.choice(STORAGE)
                    msgs = maker(port, num, host, disk)
                    seen.add((vid, pid, serial or ""))
                    mount = f"{disk}1"
                else:
                    msgs = rnd.choice(OTHER)(port, num, host, disk)
                    mount = None
                for m in msgs:
                    up += 0.000731
                    emit("kernel", f"[{up:12.6f}] {m}")
                if mount:
                    emit("udisksd[812]", f"Mounted /dev/{mount} at /media/zhang/USB{host} on behalf of uid 1000")
                t += dt.timedelta(seconds=rnd.randint(60, 3600))
                up += 900.0
                emit("kernel", f"[{up:12.6f}] usb {port}: USB disconnect, device number {num}")
            tag, msg = rnd.choice(NOISE)
            n += 1
            emit(tag.format(pid=1000 + n % 30000), msg.format(n=n, pid=1000 + n % 30000, up=f"{up:12.6f}"))
            t += dt.timedelta(microseconds=rnd.randint(1000, 400000))
            up += 0.2
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    with open(a.out + ".expected", "w") as f:
        for vid, pid, serial in sorted(seen):
            f.write(f"{vid} {pid} {serial or '-'}\n")

if __name__ == "__main__":
    main()
