"""Demo content of «Открытая промышленность»: the December extra series of «Открой#Моспром».

Pure data, no I/O. Six enterprises are the real ones named in the program's announcement; their
texts keep to what is public and true (what each is known for) and leave out addresses that are not
widely known. The other eight are invented for the demo and carry invented names and addresses.
Dates are days of a month; the loader picks the year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from openindustry.catalog.models import AllocationMode, ProgramFormat

EXCURSION = ProgramFormat.EXCURSION
MASTER_CLASS = ProgramFormat.MASTER_CLASS
LECTURE = ProgramFormat.LECTURE

# Real enterprises whose site address is not public knowledge: the address comes with the ticket.
ADDRESS_AFTER_SIGNUP = "Москва, адрес сообщается после записи"
MEETING_POINT_IN_TICKET = "Место встречи — в письме с билетом"


@dataclass(frozen=True)
class IndustrySpec:
    slug: str
    name: str
    name_en: str


@dataclass(frozen=True)
class ProgramSpec:
    title: str
    format: ProgramFormat
    description: str
    duration_minutes: int
    age_rating: int
    audience_tags: tuple[str, ...] = ()
    accessibility_notes: str | None = None


@dataclass(frozen=True)
class EnterpriseSpec:
    slug: str
    name: str
    industry: str
    short_description: str
    description: str
    address: str
    metro: str | None
    latitude: float | None
    longitude: float | None
    programs: tuple[ProgramSpec, ...]
    requires_id_document: bool = False
    min_age: int | None = None
    website: str | None = None


@dataclass(frozen=True)
class SlotSpec:
    """A tour: the enterprise's program (by index) on a day of the series' month, Moscow time."""

    enterprise: str
    program: int
    day: int
    start: time
    capacity: int
    meeting_point: str
    lottery: bool = False


@dataclass(frozen=True)
class SeriesSpec:
    title: str
    description: str
    month: int
    first_day: int
    last_day: int
    slots: tuple[SlotSpec, ...] = field(default=())
    opens_days_before: int = 3
    opens_at_time: time = time(10, 0)
    closes_hours_before: int = 24
    allocation_mode: AllocationMode = AllocationMode.FCFS
    max_active_registrations: int | None = 3


INDUSTRIES: tuple[IndustrySpec, ...] = (
    IndustrySpec("beverages", "Напитки", "Beverages"),
    IndustrySpec("confectionery", "Кондитерские изделия", "Confectionery"),
    IndustrySpec("jewellery", "Ювелирные украшения", "Jewellery"),
    IndustrySpec("toys", "Игрушки и обучающие наборы", "Toys and educational kits"),
    IndustrySpec("shoes", "Обувь", "Footwear"),
    IndustrySpec("space", "Космическая отрасль", "Space industry"),
    IndustrySpec("aviation", "Авиационная отрасль", "Aviation industry"),
)

FAMILIES = "семьям с детьми"
PUPILS = "школьникам"
STUDENTS = "студентам"
ADULTS = "взрослым"

ENTERPRISES: tuple[EnterpriseSpec, ...] = (
    # The six enterprises named in the announcement of the December series.
    EnterpriseSpec(
        slug="estet",
        name="Ювелирный завод «Эстет»",
        industry="jewellery",
        short_description=(
            "Московский ювелирный завод: как украшение проходит путь от эскиза и 3D-модели "
            "до готового изделия."
        ),
        description=(
            "На заводе «Эстет» делают ювелирные украшения. Гости узнают, как изготавливают "
            "изделия, в том числе с помощью 3D-печати, и какие этапы проходит украшение, прежде "
            "чем попасть в витрину."
        ),
        address=ADDRESS_AFTER_SIGNUP,
        metro=None,
        latitude=None,
        longitude=None,
        programs=(
            ProgramSpec(
                title="Как рождается украшение",
                format=EXCURSION,
                description=(
                    "Экскурсия по производству ювелирных украшений. Вы увидите, как эскиз "
                    "превращается в цифровую модель, как модель печатают на 3D-принтере и что "
                    "происходит с изделием дальше — вплоть до финальной полировки."
                ),
                duration_minutes=90,
                age_rating=12,
                audience_tags=(ADULTS, PUPILS, STUDENTS),
            ),
            ProgramSpec(
                title="3D-печать в ювелирном деле",
                format=MASTER_CLASS,
                description=(
                    "Мастер-класс для тех, кто хочет попробовать себя в роли дизайнера. Участники "
                    "нарисуют эскиз подвески, а специалист покажет, как по такому эскизу строят "
                    "модель для 3D-печати."
                ),
                duration_minutes=75,
                age_rating=12,
                audience_tags=(PUPILS, STUDENTS, "начинающим дизайнерам"),
            ),
        ),
    ),
    EnterpriseSpec(
        slug="nauchnye-razvlecheniya",
        name="«Научные развлечения»",
        industry="toys",
        short_description=(
            "Компания, которая разрабатывает и выпускает обучающие наборы для опытов "
            "и научного творчества детей."
        ),
        description=(
            "«Научные развлечения» создают обучающие наборы, с которыми дети ставят опыты "
            "и узнают, как устроен мир. На экскурсии расскажут, как идея набора становится "
            "продуктом: от разработки и проверки опытов до комплектации и упаковки."
        ),
        address=ADDRESS_AFTER_SIGNUP,
        metro=None,
        latitude=None,
        longitude=None,
        programs=(
            ProgramSpec(
                title="Как собирают обучающий набор",
                format=EXCURSION,
                description=(
                    "Экскурсия о том, как придумывают и производят наборы для юных "
                    "исследователей. Гости узнают, почему каждый опыт много раз проверяют, "
                    "прежде чем он попадёт в коробку, и как набор комплектуют и упаковывают."
                ),
                duration_minutes=75,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS),
            ),
            ProgramSpec(
                title="Опыты своими руками",
                format=MASTER_CLASS,
                description=(
                    "Дети вместе с родителями проведут несколько опытов из обучающих наборов "
                    "и разберутся, что при этом происходит. Защитные очки и перчатки выдадут "
                    "на месте."
                ),
                duration_minutes=60,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS),
            ),
        ),
    ),
    EnterpriseSpec(
        slug="gknpc-khrunicheva",
        name="ГКНПЦ имени М. В. Хруничева",
        industry="space",
        short_description=(
            "Государственный космический научно-производственный центр, где созданы "
            "ракеты-носители «Протон» и «Ангара»."
        ),
        description=(
            "Центр имени М. В. Хруничева — одно из ключевых предприятий российской космической "
            "отрасли. Здесь созданы ракеты-носители «Протон» и «Ангара», а также модули "
            "орбитальных станций, в том числе Международной космической станции. Гости узнают, "
            "как развивалась отрасль и как делают космическую технику."
        ),
        address="Москва, Новозаводская улица",
        metro="Фили",
        latitude=55.748,
        longitude=37.495,
        requires_id_document=True,
        min_age=16,
        programs=(
            ProgramSpec(
                title="Космос начинается в Филях",
                format=EXCURSION,
                description=(
                    "Экскурсия по одному из главных предприятий космической отрасли страны. "
                    "Вы узнаете, как создавались ракеты-носители «Протон» и «Ангара» "
                    "и модули орбитальных станций. Объект режимный: паспортные данные нужно "
                    "указать при записи, паспорт — взять с собой."
                ),
                duration_minutes=120,
                age_rating=16,
                audience_tags=(ADULTS, STUDENTS, "любителям космоса"),
            ),
            ProgramSpec(
                title="От «Протона» до «Ангары»",
                format=LECTURE,
                description=(
                    "Лекция об истории ракетно-космической отрасли на примере ракет-носителей "
                    "центра. Расскажем, зачем нужны ракеты разных классов и как меняются "
                    "требования к ним. После лекции — ответы на вопросы."
                ),
                duration_minutes=60,
                age_rating=16,
                audience_tags=(ADULTS, STUDENTS, "любителям космоса"),
            ),
        ),
    ),
    EnterpriseSpec(
        slug="pao-il",
        name="ПАО «Ил»",
        industry="aviation",
        short_description=(
            "Авиастроительная компания, продолжающая дело конструкторского бюро "
            "С. В. Ильюшина: самолёты «Ил» от Ил-2 до Ил-114."
        ),
        description=(
            "ПАО «Ил» — наследник конструкторского бюро Сергея Владимировича Ильюшина. "
            "Самолёты «Ил» — от штурмовика Ил-2 до транспортного Ил-76 и пассажирских Ил-96 "
            "и Ил-114 — стали частью истории отечественной авиации. Гости узнают, как развивалась "
            "авиационная отрасль и как сегодня создают самолёты."
        ),
        address="Москва, Ленинградский проспект",
        metro=None,
        latitude=55.799,
        longitude=37.534,
        requires_id_document=True,
        min_age=16,
        programs=(
            ProgramSpec(
                title="Как создают самолёты «Ил»",
                format=EXCURSION,
                description=(
                    "Экскурсия о том, как самолёт проходит путь от идеи конструктора до первого "
                    "полёта. Объект режимный: паспортные данные нужно указать при записи, "
                    "паспорт — взять с собой."
                ),
                duration_minutes=120,
                age_rating=16,
                audience_tags=(ADULTS, STUDENTS, "любителям авиации"),
            ),
            ProgramSpec(
                title="История авиации в самолётах «Ил»",
                format=LECTURE,
                description=(
                    "Лекция о том, как менялась отечественная авиация, на примере самолётов "
                    "конструкторского бюро Ильюшина: от Ил-2 до современных машин. Будет время "
                    "для вопросов."
                ),
                duration_minutes=60,
                age_rating=16,
                audience_tags=(ADULTS, STUDENTS, "любителям авиации"),
            ),
        ),
    ),
    EnterpriseSpec(
        slug="npo-molniya",
        name="НПО «Молния»",
        industry="space",
        short_description=(
            "Научно-производственное объединение, разработчик многоразового орбитального "
            "корабля «Буран»."
        ),
        description=(
            "НПО «Молния» известно прежде всего как разработчик орбитального корабля «Буран», "
            "который слетал в космос и вернулся на Землю в автоматическом режиме. Гости узнают, "
            "как развивалась аэрокосмическая отрасль и как проектируют крылатые космические "
            "аппараты."
        ),
        address=ADDRESS_AFTER_SIGNUP,
        metro=None,
        latitude=None,
        longitude=None,
        requires_id_document=True,
        min_age=12,
        programs=(
            ProgramSpec(
                title="«Буран» и его наследие",
                format=EXCURSION,
                description=(
                    "Экскурсия о создании многоразового орбитального корабля и о том, как "
                    "опыт «Бурана» пригодился отрасли. Объект режимный: паспортные данные "
                    "нужно указать при записи, документ — взять с собой."
                ),
                duration_minutes=90,
                age_rating=12,
                audience_tags=(PUPILS, STUDENTS, "любителям космоса"),
            ),
            ProgramSpec(
                title="Крылатые корабли: как проектируют аэрокосмическую технику",
                format=LECTURE,
                description=(
                    "Лекция о том, чем космический самолёт отличается от ракеты и обычного "
                    "самолёта и какие задачи решают его конструкторы. Подойдёт школьникам, "
                    "которые выбирают инженерную профессию."
                ),
                duration_minutes=60,
                age_rating=12,
                audience_tags=(PUPILS, STUDENTS, "будущим инженерам"),
            ),
        ),
    ),
    EnterpriseSpec(
        slug="obedinennye-konditery",
        name="«Объединённые кондитеры»",
        industry="confectionery",
        short_description=(
            "Один из крупнейших кондитерских холдингов страны, объединяющий фабрики "
            "«Красный Октябрь», «Бабаевский» и «Рот Фронт»."
        ),
        description=(
            "«Объединённые кондитеры» — один из крупнейших кондитерских холдингов России; в него "
            "входят известные московские фабрики «Красный Октябрь», «Бабаевский» и «Рот Фронт». "
            "На экскурсии гости узнают об этапах становления кондитерской отрасли и о том, как "
            "делают шоколад и конфеты сегодня."
        ),
        address=ADDRESS_AFTER_SIGNUP,
        metro=None,
        latitude=None,
        longitude=None,
        programs=(
            ProgramSpec(
                title="Сладкая история Москвы",
                format=EXCURSION,
                description=(
                    "Экскурсия об истории кондитерской отрасли: как небольшие мастерские "
                    "выросли в большие фабрики и как сегодня работают линии, выпускающие "
                    "шоколад и конфеты. Рассказ рассчитан и на взрослых, и на детей."
                ),
                duration_minutes=90,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS, "сладкоежкам"),
            ),
            ProgramSpec(
                title="Шоколадная открытка к празднику",
                format=MASTER_CLASS,
                description=(
                    "Кондитер покажет, как работать с шоколадом, а участники сами украсят "
                    "шоколадную плитку-открытку и заберут её с собой. Фартуки и шапочки выдадут "
                    "на месте."
                ),
                duration_minutes=60,
                age_rating=6,
                audience_tags=(FAMILIES, "сладкоежкам"),
            ),
        ),
    ),
    # Invented enterprises: names, addresses and coordinates are fictional.
    EnterpriseSpec(
        slug="limonady-puzyrek",
        name="Лимонадная мануфактура «Пузырёк»",
        industry="beverages",
        short_description=(
            "Небольшое производство лимонадов и морсов на ягодах, травах и фруктовых сиропах."
        ),
        description=(
            "«Пузырёк» варит сиропы по собственным рецептам и разливает лимонады и морсы "
            "в стеклянные бутылки. Гости увидят весь путь напитка — от подготовки воды до "
            "линии розлива — и узнают, откуда в лимонаде берутся пузырьки."
        ),
        address="Москва, Дербеневская набережная, 7, стр. 12",
        metro="Павелецкая",
        latitude=55.7238,
        longitude=37.6482,
        programs=(
            ProgramSpec(
                title="Откуда берутся пузырьки",
                format=EXCURSION,
                description=(
                    "Семейная экскурсия по лимонадному производству: как очищают воду, "
                    "варят сироп из ягод и трав и насыщают напиток углекислым газом. В конце — "
                    "дегустация лимонадов и морсов."
                ),
                duration_minutes=75,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS),
                accessibility_notes="Маршрут на одном этаже, без ступеней.",
            ),
            ProgramSpec(
                title="Линия розлива изнутри",
                format=EXCURSION,
                description=(
                    "Технический маршрут для взрослых по действующему цеху: мойка бутылок, "
                    "розлив, укупорка и контроль качества. Маршрут проходит между работающими "
                    "линиями, поэтому по правилам безопасности он только для совершеннолетних. "
                    "Дегустации нет."
                ),
                duration_minutes=90,
                age_rating=18,
                audience_tags=(ADULTS, STUDENTS, "технологам"),
                accessibility_notes="Работающие линии, шумно; выдаются беруши.",
            ),
        ),
    ),
    EnterpriseSpec(
        slug="samovarny-dvor",
        name="Чайная фабрика «Самоварный двор»",
        industry="beverages",
        short_description="Фабрика, где составляют и фасуют чайные и травяные сборы.",
        description=(
            "На «Самоварном дворе» купажируют чёрный и зелёный чай, травяные и ягодные сборы "
            "и фасуют их в пачки и пакетики. Гости узнают, как отличают хороший чай, и сами "
            "составят свой сбор."
        ),
        address="Москва, Электрозаводская улица, 21, стр. 4",
        metro="Электрозаводская",
        latitude=55.7829,
        longitude=37.7071,
        programs=(
            ProgramSpec(
                title="Свой чайный сбор",
                format=MASTER_CLASS,
                description=(
                    "Сначала — короткая прогулка по цеху купажа и фасовки, затем — "
                    "мастер-класс: под руководством технолога участники составят собственный "
                    "травяной сбор и заберут его домой в подарочной упаковке."
                ),
                duration_minutes=90,
                age_rating=6,
                audience_tags=(FAMILIES, ADULTS),
                accessibility_notes="Цех на втором этаже, есть грузопассажирский лифт.",
            ),
        ),
    ),
    EnterpriseSpec(
        slug="zimniy-pryanik",
        name="Пряничная фабрика «Зимний пряник»",
        industry="confectionery",
        short_description="Пекарня-фабрика печатных и расписных пряников.",
        description=(
            "«Зимний пряник» печёт печатные и расписные пряники. Гости увидят, как замешивают "
            "тесто, как оттискивают узор резной доской и как кондитеры расписывают пряники "
            "глазурью."
        ),
        address="Москва, Ткацкая улица, 19, стр. 2",
        metro="Семёновская",
        latitude=55.7802,
        longitude=37.7224,
        programs=(
            ProgramSpec(
                title="Как пекут пряники",
                format=EXCURSION,
                description=(
                    "Экскурсия по пряничному цеху: от замеса теста до упаковки. Расскажем, "
                    "чем печатный пряник отличается от расписного, и покажем старинные "
                    "пряничные доски. Каждый гость получит пряник на память."
                ),
                duration_minutes=60,
                age_rating=0,
                audience_tags=(FAMILIES, "сладкоежкам"),
                accessibility_notes="Маршрут на первом этаже, подходит для колясок.",
            ),
            ProgramSpec(
                title="Роспись пряника глазурью",
                format=MASTER_CLASS,
                description=(
                    "Кондитер научит работать с глазурью и корнетиком, а участники распишут "
                    "новогодний пряник и заберут его с собой. Детям нужна помощь взрослого, "
                    "поэтому приходите вместе."
                ),
                duration_minutes=90,
                age_rating=6,
                audience_tags=(FAMILIES, "рукодельникам"),
                accessibility_notes="Маршрут на первом этаже, подходит для колясок.",
            ),
        ),
    ),
    EnterpriseSpec(
        slug="ledentsovy-pereulok",
        name="Карамельная фабрика «Леденцовый переулок»",
        industry="confectionery",
        short_description="Фабрика карамели и леденцов ручной работы.",
        description=(
            "«Леденцовый переулок» делает карамель вручную: горячую массу тянут, складывают "
            "и режут, пока она не застыла. Гости увидят, как получается рисунок внутри "
            "карамели, и сделают свой леденец."
        ),
        address="Москва, Нагатинская улица, 16, стр. 3",
        metro="Нагатинская",
        latitude=55.6829,
        longitude=37.6248,
        programs=(
            ProgramSpec(
                title="Карамель: от сахара до леденца",
                format=EXCURSION,
                description=(
                    "Экскурсия по карамельному цеху. Мастера на глазах у гостей варят карамель, "
                    "вытягивают её и собирают узор, который виден на срезе конфеты."
                ),
                duration_minutes=60,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS, "сладкоежкам"),
                accessibility_notes="В цехе жарко; верхнюю одежду можно оставить в гардеробе.",
            ),
            ProgramSpec(
                title="Новогодний леденец на палочке",
                format=MASTER_CLASS,
                description=(
                    "Участники под присмотром мастера сделают леденец на палочке и украсят "
                    "его праздничной посыпкой. С горячей карамелью работают только взрослые "
                    "мастера, дети — с уже остывшей."
                ),
                duration_minutes=75,
                age_rating=6,
                audience_tags=(FAMILIES, "сладкоежкам"),
                accessibility_notes="В цехе жарко; верхнюю одежду можно оставить в гардеробе.",
            ),
        ),
    ),
    EnterpriseSpec(
        slug="steklyannaya-zvezda",
        name="Фабрика ёлочных украшений «Стеклянная звезда»",
        industry="toys",
        short_description=(
            "Фабрика стеклянных ёлочных игрушек: выдувка, серебрение и ручная роспись."
        ),
        description=(
            "На «Стеклянной звезде» ёлочные шары и фигурки выдувают из стекла, серебрят "
            "и расписывают вручную. Гости пройдут по всем участкам и сами распишут игрушку "
            "к празднику."
        ),
        address="Москва, Научный проезд, 10, стр. 1",
        metro="Калужская",
        latitude=55.6552,
        longitude=37.5488,
        programs=(
            ProgramSpec(
                title="Как выдувают ёлочный шар",
                format=EXCURSION,
                description=(
                    "Экскурсия по фабрике: стеклодув на глазах у гостей выдует шар, затем "
                    "его посеребрят, покрасят и отправят к художникам. Расскажем, как отличить "
                    "игрушку ручной работы."
                ),
                duration_minutes=75,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS),
                accessibility_notes="Есть лестницы без лифта.",
            ),
            ProgramSpec(
                title="Распиши свой ёлочный шар",
                format=MASTER_CLASS,
                description=(
                    "Художник фабрики покажет приёмы росписи, а участники распишут стеклянный "
                    "шар и увезут его домой в подарочной коробке. Краски и кисти выдадим."
                ),
                duration_minutes=90,
                age_rating=6,
                audience_tags=(FAMILIES, "рукодельникам"),
                accessibility_notes="Мастерская на первом этаже.",
            ),
        ),
    ),
    EnterpriseSpec(
        slug="kubar",
        name="Фабрика деревянных игрушек «Кубарь»",
        industry="toys",
        short_description="Фабрика деревянных игрушек: волчки, пирамидки, конструкторы.",
        description=(
            "«Кубарь» делает деревянные игрушки — от волчков и пирамидок до больших "
            "конструкторов. Гости увидят, как заготовку вытачивают на станке, шлифуют "
            "и покрывают безопасной краской."
        ),
        address="Москва, Волгоградский проспект, 42, корп. 5",
        metro="Текстильщики",
        latitude=55.7079,
        longitude=37.7268,
        programs=(
            ProgramSpec(
                title="Из чего сделана игрушка",
                format=EXCURSION,
                description=(
                    "Экскурсия для всей семьи: как выбирают древесину, как работает токарный "
                    "станок и почему детские игрушки красят особыми красками. В конце — "
                    "игровая комната с продукцией фабрики."
                ),
                duration_minutes=60,
                age_rating=0,
                audience_tags=(FAMILIES, "дошкольникам"),
                accessibility_notes="Маршрут без ступеней, подходит для колясок.",
            ),
            ProgramSpec(
                title="Собери свой волчок",
                format=MASTER_CLASS,
                description=(
                    "Участники соберут и раскрасят деревянный волчок, а потом устроят турнир: "
                    "чей дольше прокрутится. Инструменты безопасные, работа — под присмотром "
                    "мастера."
                ),
                duration_minutes=60,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS),
                accessibility_notes="Маршрут без ступеней, подходит для колясок.",
            ),
        ),
    ),
    EnterpriseSpec(
        slug="teply-sled",
        name="Обувная фабрика «Тёплый след»",
        industry="shoes",
        short_description="Фабрика зимней кожаной обуви: ботинки и сапоги на меху.",
        description=(
            "«Тёплый след» шьёт зимние ботинки и сапоги из натуральной кожи и меха. Гости "
            "пройдут весь путь пары обуви — от раскроя кожи до приклеивания подошвы — и узнают, "
            "как выбрать обувь, в которой не замёрзнешь."
        ),
        address="Москва, Бумажный проезд, 19, стр. 2",
        metro="Савёловская",
        latitude=55.7927,
        longitude=37.5836,
        programs=(
            ProgramSpec(
                title="Как шьют зимние ботинки",
                format=EXCURSION,
                description=(
                    "Экскурсия по обувному производству: раскрой, пошив заготовок, формовка "
                    "на колодке, крепление подошвы и контроль качества. Покажем, из скольких "
                    "деталей состоит один ботинок."
                ),
                duration_minutes=90,
                age_rating=12,
                audience_tags=(ADULTS, PUPILS, STUDENTS),
                accessibility_notes="Цех на втором этаже, лифта нет.",
            ),
        ),
    ),
    EnterpriseSpec(
        slug="bely-voylok",
        name="Валяльная мастерская «Белый войлок»",
        industry="shoes",
        short_description="Мастерская, где валяют валенки и войлочные тапочки из овечьей шерсти.",
        description=(
            "В «Белом войлоке» валяют валенки по старинной технологии, дополненной современными "
            "машинами. Гости увидят, как шерсть превращается в плотный войлок, и сами "
            "попробуют валять."
        ),
        address="Москва, Рязанский проспект, 24, стр. 2",
        metro="Рязанский проспект",
        latitude=55.7171,
        longitude=37.7896,
        programs=(
            ProgramSpec(
                title="Как валяют валенки",
                format=EXCURSION,
                description=(
                    "Экскурсия по мастерской: чесание шерсти, выкладка, валка, сушка на колодках "
                    "и отделка. Расскажем, почему валенки не шьют, а валяют, и как их носить "
                    "в московскую слякоть."
                ),
                duration_minutes=75,
                age_rating=6,
                audience_tags=(FAMILIES, PUPILS),
                accessibility_notes="Во влажном цехе скользкий пол; нужна удобная обувь.",
            ),
            ProgramSpec(
                title="Войлочная игрушка на ёлку",
                format=MASTER_CLASS,
                description=(
                    "Мастер научит сухому валянию, а участники сделают из шерсти ёлочную "
                    "игрушку — снеговика или звезду. Иглы острые, поэтому дети работают "
                    "вместе со взрослыми."
                ),
                duration_minutes=90,
                age_rating=6,
                audience_tags=(FAMILIES, "рукодельникам"),
                accessibility_notes="Мастерская на первом этаже.",
            ),
        ),
    ),
)

GATE = "У главной проходной"
SHOP = "У входа в фирменный магазин фабрики"
HALL = "В холле, у стойки регистрации"


DECEMBER_SERIES = SeriesSpec(
    title="Декабрьская серия: дополнительные экскурсии",
    description=(
        "Спрос на экскурсии не уменьшается, поэтому в преддверии праздников проходит "
        "дополнительная серия: 36 туров по 14 фабрикам и заводам Москвы с 11 по 22 декабря. "
        "Участники побывают на производствах напитков, кондитерских изделий, ювелирных "
        "украшений, игрушек и обуви, а также на предприятиях космической и авиационной "
        "отраслей. Запись открывается в мини-приложении «Открытая промышленность» за три дня "
        "до экскурсии в 10:00 и закрывается за сутки до начала; одновременно можно быть "
        "записанным не более чем на три экскурсии."
    ),
    month=12,
    first_day=11,
    last_day=22,
    # 36 tours: eight enterprises three times, six twice.
    slots=(
        SlotSpec("estet", 0, 11, time(11, 0), 20, GATE),
        SlotSpec("zimniy-pryanik", 1, 11, time(12, 0), 16, SHOP),
        SlotSpec("gknpc-khrunicheva", 0, 11, time(14, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("nauchnye-razvlecheniya", 0, 12, time(11, 0), 25, MEETING_POINT_IN_TICKET),
        SlotSpec("limonady-puzyrek", 0, 12, time(13, 0), 25, SHOP),
        SlotSpec("steklyannaya-zvezda", 1, 12, time(15, 0), 18, HALL),
        SlotSpec("obedinennye-konditery", 0, 13, time(10, 30), 30, MEETING_POINT_IN_TICKET),
        SlotSpec("pao-il", 0, 13, time(14, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("kubar", 0, 13, time(16, 0), 25, HALL),
        SlotSpec("teply-sled", 0, 14, time(11, 0), 20, GATE),
        SlotSpec("steklyannaya-zvezda", 0, 14, time(12, 30), 25, HALL),
        SlotSpec("samovarny-dvor", 0, 14, time(15, 0), 16, GATE),
        SlotSpec("estet", 1, 15, time(12, 0), 15, MEETING_POINT_IN_TICKET),
        SlotSpec("bely-voylok", 0, 15, time(14, 0), 20, GATE),
        SlotSpec("ledentsovy-pereulok", 1, 15, time(16, 0), 15, SHOP),
        SlotSpec("npo-molniya", 0, 16, time(11, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("zimniy-pryanik", 0, 16, time(13, 0), 25, SHOP),
        SlotSpec("nauchnye-razvlecheniya", 1, 16, time(15, 30), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("gknpc-khrunicheva", 1, 17, time(10, 0), 30, MEETING_POINT_IN_TICKET),
        SlotSpec("limonady-puzyrek", 1, 17, time(13, 0), 15, GATE),
        SlotSpec("obedinennye-konditery", 1, 17, time(15, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("pao-il", 1, 18, time(11, 0), 30, MEETING_POINT_IN_TICKET),
        SlotSpec("kubar", 1, 18, time(14, 0), 18, HALL),
        SlotSpec("steklyannaya-zvezda", 1, 18, time(16, 0), 18, HALL),
        SlotSpec("ledentsovy-pereulok", 0, 19, time(11, 0), 20, SHOP),
        SlotSpec("teply-sled", 0, 19, time(13, 30), 20, GATE),
        SlotSpec("estet", 0, 19, time(15, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("samovarny-dvor", 0, 20, time(11, 0), 16, GATE),
        SlotSpec("zimniy-pryanik", 1, 20, time(13, 0), 16, SHOP),
        SlotSpec("nauchnye-razvlecheniya", 0, 20, time(15, 0), 25, MEETING_POINT_IN_TICKET),
        SlotSpec(
            "gknpc-khrunicheva", 0, 21, time(11, 0), 20, MEETING_POINT_IN_TICKET, lottery=True
        ),
        SlotSpec("bely-voylok", 1, 21, time(13, 0), 15, GATE),
        SlotSpec("limonady-puzyrek", 0, 21, time(16, 0), 25, SHOP),
        SlotSpec("pao-il", 0, 22, time(11, 0), 20, MEETING_POINT_IN_TICKET, lottery=True),
        SlotSpec("npo-molniya", 1, 22, time(13, 0), 25, MEETING_POINT_IN_TICKET),
        SlotSpec("obedinennye-konditery", 0, 22, time(15, 0), 30, MEETING_POINT_IN_TICKET),
    ),
)

NOVEMBER_SERIES = SeriesSpec(
    title="Ноябрьская серия",
    description=(
        "Итоговая серия юбилейного года проекта «Открой#Моспром»: экскурсии и мастер-классы "
        "на столичных предприятиях. Запись открывалась за три дня до экскурсии в 10:00."
    ),
    month=11,
    first_day=10,
    last_day=28,
    slots=(
        SlotSpec("estet", 0, 12, time(11, 0), 25, MEETING_POINT_IN_TICKET),
        SlotSpec("zimniy-pryanik", 1, 13, time(12, 0), 20, SHOP),
        SlotSpec("gknpc-khrunicheva", 0, 14, time(11, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("limonady-puzyrek", 0, 18, time(14, 0), 25, SHOP),
        SlotSpec("obedinennye-konditery", 0, 19, time(10, 30), 30, MEETING_POINT_IN_TICKET),
        SlotSpec("steklyannaya-zvezda", 1, 20, time(15, 0), 18, HALL),
        SlotSpec("pao-il", 0, 21, time(11, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("nauchnye-razvlecheniya", 1, 25, time(13, 0), 20, MEETING_POINT_IN_TICKET),
        SlotSpec("kubar", 0, 26, time(16, 0), 25, HALL),
        SlotSpec("teply-sled", 0, 27, time(12, 0), 20, GATE),
    ),
)

SERIES: tuple[SeriesSpec, ...] = (DECEMBER_SERIES, NOVEMBER_SERIES)


@dataclass(frozen=True)
class PrizeSpec:
    title: str
    description: str
    stock: int
    price_points: int | None  # None: won only in a draw
    per_person_limit: int = 1


# The seed's prizes for activity; the smart speakers go to a draw among the quiz's best.
PRIZES: tuple[PrizeSpec, ...] = (
    PrizeSpec(
        "Умная колонка с голосовым помощником",
        "Разыгрывается среди ответивших верно хотя бы на 10 вопросов декабрьской викторины.",
        3,
        None,
    ),
    PrizeSpec(
        "Портативное зарядное устройство",
        "Фирменный пауэрбанк проекта «Открой#Моспром» — чтобы телефон не сел на экскурсии.",
        20,
        300,
    ),
    PrizeSpec("Термос", "Фирменный термос для зимних экскурсий.", 30, 200),
    PrizeSpec("Шопер", "Холщовая сумка с символикой проекта.", 50, 100),
    PrizeSpec(
        "Книга о промышленности Москвы",
        "Иллюстрированная книга об истории столичных заводов и фабрик.",
        25,
        150,
    ),
)
