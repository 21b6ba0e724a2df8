# The resident SpamAssassin of newsletter/checks/resident.py: the Mail::SpamAssassin object that
# `spamassassin -L -t -x -p PREFS --cf=LINE...` makes (the same options, paths and test-mode
# settings), with its rules loaded once, scoring one message after another.
#
# On stdin and stdout every block is "<byte length>\n<bytes>":
#   in:  the set-up once (one item a line: the throwaway home folder, PREFIX, DEF_RULES_DIR,
#        LOCAL_RULES_DIR, LOCAL_STATE_DIR, then the --cf lines), then one message a block;
#   out: "ready" once the rules are loaded, then each message's report (get_report, as -t
#        appends it). End of input ends the program and removes the home folder (the caller
#        may have ended without doing it: a fork's os._exit, a SIGTERM).
use strict;
use warnings;
use File::Path qw(remove_tree);

$SIG{PIPE} = 'IGNORE';  # a caller gone: the write fails and the program ends
$SIG{TERM} = sub { exit 1 };  # stopped from outside: END still removes the home folder

binmode STDIN;
binmode STDOUT;
$| = 1;

sub read_block {
  my $head = <STDIN>;
  return undef unless defined $head;
  chomp $head;
  die "resident_spamassassin: bad block length: $head\n" unless $head =~ /^\d+$/;
  my ($data, $got) = ('', 0);
  while ($got < $head) {
    my $n = read(STDIN, $data, $head - $got, $got);
    die "resident_spamassassin: input ended inside a block\n" unless $n;
    $got += $n;
  }
  return $data;
}

sub write_block {
  my ($data) = @_;
  print length($data), "\n", $data or die "resident_spamassassin: cannot write: $!\n";
}

my $setup = read_block();
die "resident_spamassassin: no set-up block\n" unless defined $setup;
my ($home, $prefix, $def_rules, $local_rules, $state, @cf) = split /\n/, $setup;
END { chdir "/"; remove_tree($home) if defined $home && -f "$home/user_prefs"; }  # cwd: $home
require Mail::SpamAssassin;
my $sa = Mail::SpamAssassin->new({
  userprefs_filename  => "$home/user_prefs",   # -p
  home_dir_for_helpers => $home,        # where SpamAssassin tries writing a state file: here,
                                        # not in the home folder of the user's passwd entry
  local_tests_only    => 1,             # -L
  dont_copy_prefs     => 1,             # -x
  pre_config_text     => "\n",
  post_config_text    => join("\n", @cf) . "\n",   # --cf
  require_rules       => 1,
  PREFIX              => $prefix,
  DEF_RULES_DIR       => $def_rules,
  LOCAL_RULES_DIR     => $local_rules,
  LOCAL_STATE_DIR     => $state,
});
$sa->init(1);
# what -t (test mode) turns off in the spamassassin program
$sa->{conf}->{use_auto_welcomelist} = 0;
$sa->{conf}->{bayes_auto_learn} = 0;
write_block("ready");

while (defined(my $message = read_block())) {
  $sa->timer_reset;
  my $mail = $sa->parse($message);
  my $status = $sa->check($mail);
  my $report = $status->get_report();
  $status->finish();
  $mail->finish();
  write_block($report);
}
$sa->finish();
