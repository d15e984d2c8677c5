#!/usr/bin/env python3
"""Write container images as OCI image-layout tarballs, without Docker or a registry.

  oci.py layer ROOT OUT.tar [--base BASE]   a layer tar from a directory; with --base, only what differs
                                            from BASE (plus .wh. whiteouts for what ROOT removed)
  oci.py files OUT.tar SRC:DEST[:MODE[:UID]]...   a layer holding single files (parent dirs 0755, root-owned)
  oci.py image --config CONFIG.json --layer L.tar... --ref REF --out OUT.tar
                                            an image (uncompressed layers) named REF, importable with
                                            `ctr -n k8s.io images import`

Layers are uncompressed: building and importing them is faster than gzip, and they never leave this machine.
Tar entries are sorted with numeric owners and mtime kept (content decides the digest); dev/ proc/ sys/ tmp/
keep the directory but not its contents; the security.capability xattr is kept (CoreDNS binds :53 as non-root)."""
import argparse, hashlib, io, json, os, stat, sys, tarfile

SKIP_CONTENTS = {'dev', 'proc', 'sys', 'tmp'}


def walk(root):
    def rec(rel):
        for name in sorted(os.listdir(os.path.join(root, rel) if rel else root)):
            r = os.path.join(rel, name) if rel else name
            yield r
            if stat.S_ISDIR(os.lstat(os.path.join(root, r)).st_mode) and not (rel == '' and name in SKIP_CONTENTS):
                yield from rec(r)
    yield from rec('')


def same(p, q):
    s, t = os.lstat(p), os.lstat(q)
    if (s.st_mode, s.st_uid, s.st_gid) != (t.st_mode, t.st_uid, t.st_gid):
        return False
    if stat.S_ISLNK(s.st_mode):
        return os.readlink(p) == os.readlink(q)
    if stat.S_ISDIR(s.st_mode):
        return True
    if stat.S_ISREG(s.st_mode):
        if s.st_size != t.st_size:
            return False
        with open(p, 'rb') as f, open(q, 'rb') as g:
            while True:
                x, y = f.read(1 << 20), g.read(1 << 20)
                if x != y:
                    return False
                if not x:
                    return True
    return s.st_rdev == t.st_rdev


def add_path(t, root, rel):
    full = os.path.join(root, rel)
    ti = t.gettarinfo(full, arcname=rel)
    ti.uname = ti.gname = ''
    try:
        cap = os.getxattr(full, 'security.capability', follow_symlinks=False)
        ti.pax_headers['SCHILY.xattr.security.capability'] = cap.decode('latin-1')
    except OSError:
        pass
    if ti.isreg():
        with open(full, 'rb') as f:
            t.addfile(ti, f)
    else:
        t.addfile(ti)


def cmd_layer(a):
    with tarfile.open(a.out, 'w', format=tarfile.PAX_FORMAT) as t:
        for rel in walk(a.root):
            b = os.path.join(a.base, rel) if a.base else None
            if b and os.path.lexists(b) and same(os.path.join(a.root, rel), b):
                continue
            add_path(t, a.root, rel)
        if a.base:
            for rel in walk(a.base):
                parent = os.path.dirname(rel)
                if parent and parent.split('/')[0] in SKIP_CONTENTS:
                    continue
                proot = os.path.join(a.root, parent) if parent else a.root
                if not os.path.lexists(os.path.join(a.root, rel)) and os.path.isdir(proot) and not os.path.islink(proot):
                    ti = tarfile.TarInfo(os.path.join(parent, '.wh.' + os.path.basename(rel)))
                    ti.mtime = 0
                    ti.mode = 0o644
                    t.addfile(ti)


def cmd_files(a):
    dirs = set()
    with tarfile.open(a.out, 'w', format=tarfile.PAX_FORMAT) as t:
        for spec in a.specs:
            parts = spec.split(':')
            src, dest = parts[0], parts[1].lstrip('/')
            mode = int(parts[2], 8) if len(parts) > 2 else 0o755
            uid = int(parts[3]) if len(parts) > 3 else 0
            d = os.path.dirname(dest)
            chain = []
            while d and d not in dirs:
                chain.append(d)
                d = os.path.dirname(d)
            for d in reversed(chain):
                ti = tarfile.TarInfo(d)
                ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 0
                t.addfile(ti)
                dirs.add(d)
            ti = tarfile.TarInfo(dest)
            ti.size, ti.mode, ti.mtime, ti.uid, ti.gid = os.path.getsize(src), mode, 0, uid, uid
            try:
                cap = os.getxattr(src, 'security.capability')
                ti.pax_headers['SCHILY.xattr.security.capability'] = cap.decode('latin-1')
            except OSError:
                pass
            with open(src, 'rb') as f:
                t.addfile(ti, f)


def sha256_file(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        while b := f.read(1 << 20):
            h.update(b)
    return h.hexdigest()


def cmd_image(a):
    layers = [(p, sha256_file(p), os.path.getsize(p)) for p in a.layer]
    spec = json.load(open(a.config))
    config = {'created': '1970-01-01T00:00:00Z', 'architecture': 'amd64', 'os': 'linux', 'config': spec,
              'rootfs': {'type': 'layers', 'diff_ids': ['sha256:' + d for _, d, _ in layers]},
              'history': [{'created_by': 'sigstore-up test harness'} for _ in layers]}
    blobs = {}

    def add(b):
        d = hashlib.sha256(b).hexdigest()
        blobs[d] = b
        return 'sha256:' + d, len(b)
    cdig, csize = add(json.dumps(config, separators=(',', ':'), sort_keys=True).encode())
    manifest = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cdig, 'size': csize},
                'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': 'sha256:' + d, 'size': s}
                           for _, d, s in layers]}
    mdig, msize = add(json.dumps(manifest, separators=(',', ':'), sort_keys=True).encode())
    index = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json',
             'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json', 'digest': mdig, 'size': msize,
                            'platform': {'architecture': 'amd64', 'os': 'linux'},
                            'annotations': {'io.containerd.image.name': a.ref,
                                            'org.opencontainers.image.ref.name': a.ref}}]}
    meta = {'oci-layout': b'{"imageLayoutVersion":"1.0.0"}', 'index.json': json.dumps(index).encode()}

    def ti(name, size=0, is_dir=False):
        t = tarfile.TarInfo(name)
        t.mtime = 0
        if is_dir:
            t.type, t.mode = tarfile.DIRTYPE, 0o755
        else:
            t.size, t.mode = size, 0o644
        return t
    tmp = a.out + '.tmp'
    with tarfile.open(tmp, 'w', format=tarfile.PAX_FORMAT) as t:
        t.addfile(ti('blobs', is_dir=True))
        t.addfile(ti('blobs/sha256', is_dir=True))
        for name in sorted(meta):
            t.addfile(ti(name, len(meta[name])), io.BytesIO(meta[name]))
        for d, b in sorted(blobs.items()):
            t.addfile(ti('blobs/sha256/' + d, len(b)), io.BytesIO(b))
        seen = set()
        for path, d, size in layers:
            if d not in seen:
                seen.add(d)
                with open(path, 'rb') as f:
                    t.addfile(ti('blobs/sha256/' + d, size), f)
    os.rename(tmp, a.out)


ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest='cmd', required=True)
p = sub.add_parser('layer'); p.add_argument('root'); p.add_argument('out'); p.add_argument('--base')
p = sub.add_parser('files'); p.add_argument('out'); p.add_argument('specs', nargs='+')
p = sub.add_parser('image'); p.add_argument('--config', required=True); p.add_argument('--layer', action='append', required=True)
p.add_argument('--ref', required=True); p.add_argument('--out', required=True)
a = ap.parse_args()
{'layer': cmd_layer, 'files': cmd_files, 'image': cmd_image}[a.cmd](a)
