// SPDX-License-Identifier: MIT
/*
 * Host tests for the UEFI loader's loader.cfg parser (boot/efi/loader_cfg.c)
 * and the files a manifest line adds (boot/efi/loader_manifest.c, with the
 * core's manifest parser as BOOTX64.EFI has it).
 */
#include "drivers/fmt.c"
#include "vmm/manifest_lex.c"
#include "vmm/manifest.c"
#include "tests/unit/unit.h"
#include "boot/efi/loader_cfg.c"
#include "boot/efi/loader_manifest.c"

static struct loader_cfg cfg;
static struct loader_manifest lm;

static int parse(const char *text)
{
	return loader_cfg_parse(&cfg, text, strlen(text));
}

/* The text must be rejected with exactly this message. */
#define CHECK_BAD(text, msg)                    \
	do {                                    \
		CHECK_EQ_I(parse(text), -1);    \
		CHECK_STR(cfg.error, msg);      \
	} while (0)

TEST(minimal)
{
	CHECK_EQ_I(parse("core /basalt/basalt.elf\n"), 0);
	CHECK_STR(cfg.core, "\\basalt\\basalt.elf");
	CHECK_STR(cfg.cmdline, "");
	CHECK_EQ_U(cfg.nr_modules, 0);
	CHECK_STR(cfg.error, "");
}

TEST(full_example)
{
	CHECK_EQ_I(parse("# Basalt\n"
			 "core    /basalt/basalt.elf\n"
			 "cmdline loglevel=info exit=qemu\n"
			 "module  /basalt/guest.bin some args\n"
			 "module\t/basalt/manifest.txt\n"),
		   0);
	CHECK_STR(cfg.core, "\\basalt\\basalt.elf");
	CHECK_STR(cfg.cmdline, "loglevel=info exit=qemu");
	CHECK_EQ_U(cfg.nr_modules, 2);
	CHECK_STR(cfg.modules[0].path, "\\basalt\\guest.bin");
	CHECK_STR(cfg.modules[0].name, "/basalt/guest.bin some args");
	CHECK_STR(cfg.modules[1].path, "\\basalt\\manifest.txt");
	CHECK_STR(cfg.modules[1].name, "/basalt/manifest.txt");
}

TEST(order_free_and_no_final_newline)
{
	CHECK_EQ_I(parse("module /a.bin\ncmdline x\ncore /k.elf"), 0);
	CHECK_STR(cfg.core, "\\k.elf");
	CHECK_STR(cfg.cmdline, "x");
	CHECK_STR(cfg.modules[0].path, "\\a.bin");
}

TEST(crlf_bom_blanks_and_comments)
{
	CHECK_EQ_I(parse("\xef\xbb\xbf# header\r\n"
			 "\r\n"
			 "   \t \r\n"
			 "  core\t/basalt/basalt.elf   # the core\r\n"
			 "    # indented comment\r\n"
			 "cmdline   a  b\t c   # trailing\r\n"
			 "module /m.bin x#y #z\r\n"),
		   0);
	CHECK_STR(cfg.core, "\\basalt\\basalt.elf");
	CHECK_STR(cfg.cmdline, "a  b\t c");
	CHECK_STR(cfg.modules[0].name, "/m.bin x#y");
}

TEST(cmdline_empty_and_utf8)
{
	CHECK_EQ_I(parse("core /k\ncmdline\n"), 0);
	CHECK_STR(cfg.cmdline, "");
	CHECK_EQ_I(parse("core /k\ncmdline name=\xc3\xa9t\xc3\xa9\n"), 0);
	CHECK_STR(cfg.cmdline, "name=\xc3\xa9t\xc3\xa9");
}

TEST(cmdline_at_limit)
{
	char text[BOOT_CMDLINE_LEN + 64];
	int n = snprintf(text, sizeof(text), "core /k\ncmdline ");

	memset(text + n, 'x', BOOT_CMDLINE_LEN - 1);
	text[n + BOOT_CMDLINE_LEN - 1] = '\0';
	CHECK_EQ_I(parse(text), 0);
	CHECK_EQ_U(strlen(cfg.cmdline), BOOT_CMDLINE_LEN - 1);
	strcat(text, "y");
	CHECK_BAD(text, "loader.cfg:2: cmdline is 512 characters, at most 511 fit");
}

TEST(max_modules)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), "core /k\n");

	for (int i = 0; i < BOOT_MAX_MODULES; i++)
		n += snprintf(text + n, sizeof(text) - n, "module /m%d.bin arg%d\n", i, i);
	CHECK_EQ_I(parse(text), 0);
	CHECK_EQ_U(cfg.nr_modules, BOOT_MAX_MODULES);
	CHECK_STR(cfg.modules[31].path, "\\m31.bin");
	CHECK_STR(cfg.modules[31].name, "/m31.bin arg31");
	snprintf(text + n, sizeof(text) - n, "module /one-too-many\n");
	CHECK_BAD(text, "loader.cfg:34: more than 32 modules");
}

TEST(module_text_limit)
{
	char text[1024];
	int n = snprintf(text, sizeof(text), "core /k\nmodule /m ");

	memset(text + n, 'a', BOOT_MODNAME_LEN - 1 - 3);
	text[n + BOOT_MODNAME_LEN - 1 - 3] = '\0';
	CHECK_EQ_I(parse(text), 0);
	CHECK_EQ_U(strlen(cfg.modules[0].name), BOOT_MODNAME_LEN - 1);
	strcat(text, "a");
	CHECK_BAD(text, "loader.cfg:2: module text is 256 characters, at most 255 fit");
}

TEST(path_limit)
{
	char text[1024];
	int n = snprintf(text, sizeof(text), "core /");

	memset(text + n, 'p', LOADER_PATH_LEN - 2);
	text[n + LOADER_PATH_LEN - 2] = '\0';
	CHECK_EQ_I(parse(text), 0);
	CHECK_EQ_U(strlen(cfg.core), LOADER_PATH_LEN - 1);
	strcat(text, "p");
	CHECK_BAD(text, "loader.cfg:1: path '/ppppppppppppppppppppppppppppppppppppppp...' "
			"is too long");
}

TEST(bad_keys)
{
	CHECK_BAD("core /k\ncmdline x\nmodul /g.bin\n", "loader.cfg:3: unknown key 'modul'");
	CHECK_BAD("Core /k\n", "loader.cfg:1: unknown key 'Core'");
	CHECK_BAD("core=/k\n", "loader.cfg:1: unknown key 'core=/k'");
	CHECK_BAD("kernel /basalt/basalt.elf\n", "loader.cfg:1: unknown key 'kernel'");
	CHECK_BAD("core /k\nthis-is-a-really-long-unknown-key-name-that-goes-on-and-on x\n",
		  "loader.cfg:2: unknown key 'this-is-a-really-long-unknown-key-name-t...'");
}

TEST(bad_core)
{
	CHECK_BAD("", "loader.cfg: no 'core' line");
	CHECK_BAD("# only a comment\n\ncmdline x\n", "loader.cfg: no 'core' line");
	CHECK_BAD("core\n", "loader.cfg:1: 'core' needs a path");
	CHECK_BAD("core   # no path\n", "loader.cfg:1: 'core' needs a path");
	CHECK_BAD("core /a\n\ncore /b\n", "loader.cfg:3: second 'core' line (first on line 1)");
	CHECK_BAD("core /k loglevel=debug\n",
		  "loader.cfg:1: unexpected 'loglevel=debug' after the core path (use 'cmdline')");
	CHECK_BAD("core /k a b\n",
		  "loader.cfg:1: unexpected 'a b' after the core path (use 'cmdline')");
}

TEST(bad_cmdline)
{
	CHECK_BAD("core /k\ncmdline a\ncmdline b\n",
		  "loader.cfg:3: second 'cmdline' line (first on line 2)");
}

TEST(bad_module)
{
	CHECK_BAD("core /k\nmodule\n", "loader.cfg:2: 'module' needs a path");
	CHECK_BAD("core /k\nmodule   \t\n", "loader.cfg:2: 'module' needs a path");
	CHECK_BAD("core /k\nmodule guest.bin\n",
		  "loader.cfg:2: path 'guest.bin' must start with '/'");
}

TEST(bad_paths)
{
	CHECK_BAD("core basalt.elf\n", "loader.cfg:1: path 'basalt.elf' must start with '/'");
	CHECK_BAD("core \\basalt\\basalt.elf\n",
		  "loader.cfg:1: path '\\basalt\\basalt.elf' must start with '/'");
	CHECK_BAD("core /basalt/\n", "loader.cfg:1: path '/basalt/' names a directory");
	CHECK_BAD("core /\n", "loader.cfg:1: path '/' names a directory");
	CHECK_BAD("core /b\xc3\xa4salt.elf\n",
		  "loader.cfg:1: path '/b\xc3\xa4salt.elf' has a non-ASCII character");
}

TEST(control_characters)
{
	static const char nul_line[] = "core /k\nmodule /a\0b\n";

	CHECK_EQ_I(loader_cfg_parse(&cfg, nul_line, sizeof(nul_line) - 1), -1);
	CHECK_STR(cfg.error, "loader.cfg:2: control character 0x00");
	CHECK_BAD("core /k\r\r\n", "loader.cfg:1: control character 0x0d");
	CHECK_BAD("core /k\ncmdline a\x1b[0mb\n", "loader.cfg:2: control character 0x1b");
	CHECK_BAD("core /k\x7f\n", "loader.cfg:1: control character 0x7f");
	CHECK_BAD("# \x01 even in a comment\ncore /k\n", "loader.cfg:1: control character 0x01");
}

TEST(binary_file)
{
	static const unsigned char elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0 };

	CHECK_EQ_I(loader_cfg_parse(&cfg, (const char *)elf, sizeof(elf)), -1);
	CHECK_STR(cfg.error, "loader.cfg:1: control character 0x7f");
}

TEST(not_nul_terminated)
{
	/* Only len bytes count: the rest of the buffer is never read. */
	static const char buf[] = "core /basalt/k.elfXXXX";

	CHECK_EQ_I(loader_cfg_parse(&cfg, buf, strlen("core /basalt/k.elf")), 0);
	CHECK_STR(cfg.core, "\\basalt\\k.elf");
}

TEST(reparse_clears)
{
	CHECK_EQ_I(parse("core /a\ncmdline x\nmodule /m\n"), 0);
	CHECK_EQ_I(parse("core /b\n"), 0);
	CHECK_STR(cfg.core, "\\b");
	CHECK_STR(cfg.cmdline, "");
	CHECK_EQ_U(cfg.nr_modules, 0);
}

/* --- the manifest line ------------------------------------------------------------ */

TEST(manifest_line)
{
	CHECK_EQ_I(parse("core /basalt/basalt.elf\nmanifest /vms.manifest\n"), 0);
	CHECK_STR(cfg.manifest.path, "\\vms.manifest");
	CHECK_STR(cfg.manifest.name, "/vms.manifest");
	CHECK_EQ_U(cfg.manifest_at, 0);
	CHECK_EQ_U(cfg.nr_modules, 0);
	CHECK_EQ_I(parse("core /k\nmodule /a.bin x\nmanifest\t/basalt/b.manifest  # vms\n"
			 "module /c.bin\n"),
		   0);
	CHECK_STR(cfg.manifest.path, "\\basalt\\b.manifest");
	CHECK_EQ_U(cfg.manifest_at, 1);
	CHECK_EQ_U(cfg.nr_modules, 2);
	CHECK_EQ_I(parse("core /k\nmodule /a.manifest\n"), 0); /* a manifest as a module */
	CHECK_STR(cfg.manifest.path, "");
}

TEST(bad_manifest_line)
{
	CHECK_BAD("core /k\nmanifest /a.manifest\nmanifest /b.manifest\n",
		  "loader.cfg:3: second 'manifest' line (first on line 2)");
	CHECK_BAD("core /k\nmanifest /a.manifest\nmanifest /a.manifest\n",
		  "loader.cfg:3: second 'manifest' line (first on line 2)");
	CHECK_BAD("core /k\nmanifest\n", "loader.cfg:2: 'manifest' needs a path");
	CHECK_BAD("core /k\nmanifest  # none\n", "loader.cfg:2: 'manifest' needs a path");
	CHECK_BAD("core /k\nmanifest /a.manifest x\n",
		  "loader.cfg:2: unexpected 'x' after the manifest path");
	CHECK_BAD("core /k\nmanifest vms.manifest\n",
		  "loader.cfg:2: path 'vms.manifest' must start with '/'");
	CHECK_BAD("core /k\nmanifest /vms.txt\n",
		  "loader.cfg:2: manifest path '/vms.txt' must end in '.manifest'");
	CHECK_BAD("core /k\nmanifest /.manifest/\n",
		  "loader.cfg:2: manifest path '/.manifest/' must end in '.manifest'");
	CHECK_BAD("core /k\nmanifest /a.manifest\nmodule /b.manifest\n",
		  "loader.cfg:3: a second manifest (the first on line 2): the core reads only one");
	CHECK_BAD("core /k\nmodule /a.manifest\nmanifest /a.manifest\n",
		  "loader.cfg:3: a second manifest (the first on line 2): the core reads only one");
	CHECK_BAD("core /k loglevel=info\n",
		  "loader.cfg:1: unexpected 'loglevel=info' after the core path (use 'cmdline')");
}

static int add(const char *text)
{
	return loader_manifest_add(&cfg, text, strlen(text), &lm);
}

#define CHECK_MOD(i, p, n)                               \
	do {                                             \
		CHECK_STR(cfg.modules[i].path, p);       \
		CHECK_STR(cfg.modules[i].name, n);       \
	} while (0)

TEST(manifest_files)
{
	CHECK_EQ_I(parse("core /k\n"
			 "module /basalt/first.bin a b\n"
			 "manifest /vms.manifest\n"
			 "module /guests/shared.img\n"),
		   0);
	CHECK_EQ_I(add("[vm.web]\n"
		       "memory = 16M\n"
		       "kernel = \"guests/web.elf\"\n"
		       "initrd = \"/guests/web.initrd\"\n"
		       "disk = [\"guests/a.img\", \"guests/shared.img\"]\n"
		       "[vm.db]\n"
		       "memory = 16M\n"
		       "kernel = \"/guests/web.elf\"\n" /* the same file again */
		       "disk = \"guests/b.img\"\n"),
		   0);
	CHECK_EQ_U(lm.d.count, 0);
	CHECK_EQ_U(cfg.nr_modules, 7);
	CHECK_MOD(0, "\\basalt\\first.bin", "/basalt/first.bin a b");
	CHECK_MOD(1, "\\vms.manifest", "/vms.manifest");
	CHECK_MOD(2, "\\guests\\web.elf", "/guests/web.elf");
	CHECK_MOD(3, "\\guests\\web.initrd", "/guests/web.initrd");
	CHECK_MOD(4, "\\guests\\a.img", "/guests/a.img");
	CHECK_MOD(5, "\\guests\\b.img", "/guests/b.img");
	CHECK_MOD(6, "\\guests\\shared.img", "/guests/shared.img"); /* the module line */
}

TEST(manifest_only)
{
	CHECK_EQ_I(parse("core /k\nmanifest /basalt/vms.manifest\n"), 0);
	CHECK_EQ_I(add("[hypervisor]\nquantum = 1ms\n"), 0); /* no VM: the core says so */
	CHECK_EQ_U(cfg.nr_modules, 1);
	CHECK_MOD(0, "\\basalt\\vms.manifest", "/basalt/vms.manifest");
	CHECK_STR(lm.m.file, "basalt/vms.manifest");
}

TEST(manifest_syntax_errors)
{
	CHECK_EQ_I(parse("core /k\nmodule /a.bin\nmanifest /basalt/bad.manifest\n"), 0);
	CHECK_EQ_I(add("[vm.a]\n"
		       "memroy = 16M\n"
		       "kernel = guests/a.elf\n"),
		   -1);
	CHECK_EQ_U(lm.d.count, 3);
	CHECK_STR(lm.d.msg[0], "basalt/bad.manifest:2: unknown key 'memroy' in [vm.a]; "
			       "did you mean 'memory'?");
	CHECK(strstr(lm.d.msg[1], "basalt/bad.manifest:3: kernel: expected a string") ==
	      lm.d.msg[1]);
	CHECK_STR(lm.d.msg[2], "basalt/bad.manifest:1: vm 'a': missing required key 'memory'");
	CHECK_EQ_U(cfg.nr_modules, 1); /* unchanged */
	CHECK_MOD(0, "\\a.bin", "/a.bin");
	/* A second call starts with no messages. */
	CHECK_EQ_I(add("[vm.a]\nmemory = 16M\nkernel = \"a.elf\"\n"), 0);
	CHECK_EQ_U(lm.d.count, 0);
	CHECK_EQ_U(cfg.nr_modules, 3);
}

/* loader.cfg: n module lines, then a manifest line; out: a manifest of `files` VMs. */
static void many(unsigned n, unsigned files, char *out, size_t size)
{
	char text[4096];
	int len = snprintf(text, sizeof(text), "core /k\n");

	for (unsigned i = 0; i < n; i++)
		len += snprintf(text + len, sizeof(text) - len, "module /m%u.bin\n", i);
	snprintf(text + len, sizeof(text) - len, "manifest /t.manifest\n");
	CHECK_EQ_I(parse(text), 0);
	len = 0;
	for (unsigned i = 0; i < files; i++)
		len += snprintf(out + len, size - len,
				"[vm.v%u]\nmemory = 1M\nkernel = \"k%u.bin\"\n", i, i);
}

TEST(manifest_module_limit)
{
	char text[4096];

	many(BOOT_MAX_MODULES - 3, 2, text, sizeof(text)); /* exactly full */
	CHECK_EQ_I(add(text), 0);
	CHECK_EQ_U(cfg.nr_modules, BOOT_MAX_MODULES);
	CHECK_MOD(BOOT_MAX_MODULES - 1, "\\k1.bin", "/k1.bin");
	many(BOOT_MAX_MODULES - 3, 3, text, sizeof(text));
	CHECK_EQ_I(add(text), -1);
	CHECK_EQ_U(lm.d.count, 1);
	CHECK_STR(lm.d.msg[0], "t.manifest:9: vm 'v2': kernel: 'k2.bin' would be boot module 33, "
			       "the loader takes 32 (loader.cfg's modules, the manifest and its "
			       "files)");
	CHECK_EQ_U(cfg.nr_modules, BOOT_MAX_MODULES - 3);
	many(BOOT_MAX_MODULES - 1, 0, text, sizeof(text)); /* room for the manifest alone */
	CHECK_EQ_I(add("[vm.a]\nmemory = 1M\nkernel = \"m0.bin\"\n"), 0); /* a module already */
	CHECK_EQ_U(cfg.nr_modules, BOOT_MAX_MODULES);
	CHECK_MOD(BOOT_MAX_MODULES - 1, "\\t.manifest", "/t.manifest");
}
