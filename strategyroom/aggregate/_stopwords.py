"""Stop words for the themes of free text (strategyroom.aggregate.themes), per
language: function words and the words every comment at a town-hall evening
uses whatever its theme ("please", "more", "need", "should").

scikit-learn has an English list only and none for Danish or Swedish, so the
lists are kept here, after the Snowball project's lists (snowballstem.org,
BSD licence) with the meeting's own filler words added. They are matched on
lower-cased words before stemming.
"""

from __future__ import annotations

_EN = """
a about above after again against all also am an and any anymore are aren't as at be because
been before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't dont down during each else even every few for from further get gets go goes
going good got had hadn't has hasn't have haven't having he her here hers herself him himself his
how i i'd i'll i'm i've if im in into is isn't it it's its itself just let's like lot lots many me
might more most much must mustn't my myself need needs no nor not now of off on once one only or
other ought our ours ourselves out over own people please quite rather really same shall she
should shouldn't so some still such than thank thanks that that's thats the their theirs them
themselves then there there's these they they'd they'll they're they've thing things think this
those though through to too under until up us very want was wasn't we we'd we'll we're we've
well were weren't what what's when where which while who whom why will with won't would wouldn't
yes yet you you'd you'll you're you've your yours yourself yourselves make made use way ok
actually already always never nothing someone anyone everyone everything less
back first time new get around put
"""

_DA = """
ad af alle alt altid anden andet andre at bare begge blev blive bliver da de dem den denne dens
der deres det dette dig din dine disse dit du efter eller en end er et for fordi fra få får gerne
god godt ham han hans har have havde hende hendes her hos hun hvad hvem hver hvilke hvis hvor
hvordan hvorfor hvornår i ikke ind ingen intet jeg jer jeres kan kommer kun kunne lidt lige man
mange med meget men mere mest mig min mine mit mod må måske naar nej noget nogen nok nu når og
også om op os over på sig sin sine sit skal skulle som sådan så tak til ud under var vi vil
ville vor vores være været alligevel allerede aldrig bare blot dog ellers endnu enten helt her
heller hele ja jo nogle nemlig netop sammen selv stadig således tit to ved via flere først
gøre gør gjort brug behov tror synes
lad lade komme kom tid folk ting hinanden
"""

_SV = """
alla allt andra att av bara blev bli blir de dem den denna deras dess dessa det detta dig din
dina ditt du där efter eller en er era ert ett från för får ha hade han hans har hela helt henne
hennes hit hon honom hur här i icke ingen inom inte jag ju kan kunde man med mellan men mer mig
min mina mitt mot mycket ni nu när någon något några och om oss också på redan samma sedan sen
sig sin sina sitt sjäv ska skall skulle som så sådan sådant till tack under upp ut utan vad var
vara varit varför varje vars vem vi vid vilka vilken vilket vår våra vårt än är åt över alltid
aldrig ändå bra behöver behövs borde fler flera först göra gör gjort ja nej nog också själv
typ tycker tror väl vill ville kanske lite mest många
låt låta folk tid gång alls funkar funka sak saker nåt
"""


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


STOP_WORDS: dict[str, frozenset[str]] = {"en": _words(_EN), "da": _words(_DA), "sv": _words(_SV)}
