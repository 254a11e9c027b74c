"""Golden tests: every seed exported from the demo data holds every value of the seed, in order."""
import pytest

from declarations.exports.registry import export_document
from declarations.models import Unit

from .conftest import SEEDS
from .export_text import missing_cells, out_of_order, pdf_text, xlsx_text
from .seed_text import seed_cells

# Seed cells an export may lack, each with the reason. Keep these lists short and explained.
MAY_LACK = {
    "hebei-zunhua-2024": {},
    "hebei-laoting-2025": {},
    "jiangsu-rugao-2024": {
        # 单位主要职能 is printed in full, without the extraction's HTML paragraph markup
        (
            "<p>(一)负责处理市内外群众、法人及其他组织通过书信、电子邮件、传真、电话、走访等形式,"
            "向市委、市政府及领导同志提出的信访事项。承办上级机关和市委、市政府、市人大、市政协等领导机"
            "关以及市领导转送、交办、督办的信访事项。(二)负责向市委、市政府反映信访人提出的重要建议、"
            "意见和问题,综合研判信访信息,开展调查研究,提出改进工作或制定修改完善有关政策的建议。负责"
            "征集人民群众的建议,筛选重要建议,提供给市委、市政府参考。(三)督促推动党中央、国务院和省"
            "委、省政府,南通市委、市政府,如皋市委、市政府关于信访工作决策部署的贯彻落实,督促检查领导"
            "同志有关批示件的落实情况,拟订信访督查制度并组织实施。向镇(区、街道)和有关部门、企事业单"
            "位转送、交办、督办信访事项,指导检查重要信访事项的处理和落实。代表市政府办理申请市政府复查"
            "的信访事项。(四)协调处理我市群众进京去省到通上访相关工作。负责驻京、驻宁日常信访保障工作"
            ",组织协调及时劝返本地越级上访群众。应急协调处理重大信访事项和异常、突发信访事件。配合公安"
            "机关等部门处理信访活动中的违法行为。综合协调处理跨地区、跨部门、跨行业重要信访问题。(五)"
            "综合协调指导全市信访工作。起草、修改本市有关信访工作的政策制度。负责组织实施对全市信访工作"
            "考核。总结推广信访工作经验,提出改进和加强信访工作的意见和建议。(六)制定信访问题排查化解"
            "制度并组织实施,建立和完善信访信息汇集分析机制、预警研判机制,指导全市信访信息化建设。(七"
            ")指导全市信访系统教育培训和队伍建设,协调信访工作对外交流。(八)负责信访工作宣传和信息发"
            "布。为信访人提供有关法律、法规、政策咨询。(九)承担市信访工作联席会议的具体工作,督促落实"
            "联席会议决定的事项。承办中央、省和南通市信访工作联席会议办公室交办事项。(十)按照国务院《"
            "信访条例》和《江苏省信访条例》规定,对有关单位及信访干部、信访群众提出奖励或处罚的建议。("
            "十一)完成市委、市政府交办的其他任务。</p>"
        ): "<p> markup of the extraction around the 单位主要职能 text; the text itself is printed",
    },
    "hubei-yangxin-2026": {},
    "ningxia-guyuan-2021": {},
}
# Seed cells the extraction put out of the printed order (merged cells, page breaks), with the reason.
MAY_BE_OUT_OF_ORDER = {
    "hebei-zunhua-2024": {},
    "hebei-laoting-2025": {},
    "jiangsu-rugao-2024": {
        "社会效益": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "社会稳定性": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "稳定": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "可持续发展指标": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "可持续发展性": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "可持续": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "满意度指标": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "群众满意度": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
        "群众满意度达到95%以上": "部门整体 indicator row the extraction put at the end of the file; printed in the 部门整体 table",
    },
    "hubei-yangxin-2026": {},
    "ningxia-guyuan-2021": {
        "2、效益指标": "the seed extraction printed this merged 一级 cell mid-way down, after its first row "
        "(社会效益指标); the export prints it on the first row of the merge, as PDF and Excel order cells",
    },
}
READERS = {"pdf": pdf_text, "xlsx": xlsx_text}


@pytest.fixture(scope="module")
def exports(django_db_setup, django_db_blocker):
    """Each seed's whole document as text, rendered once per format for this module."""
    rendered = {}

    def read(seed, fmt):
        if (seed, fmt) not in rendered:
            name, year = SEEDS[seed]
            with django_db_blocker.unblock():
                unit = Unit.objects.get(name=name)
                _filename, _content_type, content = export_document(unit=unit, year=year, fmt=fmt)
            rendered[seed, fmt] = READERS[fmt](content)
        return rendered[seed, fmt]

    return read


@pytest.mark.parametrize("fmt", READERS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_export_holds_every_cell_of_the_seed(exports, seed, fmt):
    missing = set(missing_cells(seed_cells(seed), exports(seed, fmt)))
    assert missing - set(MAY_LACK[seed]) == set()


@pytest.mark.parametrize("fmt", READERS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_export_prints_the_seeds_cells_in_the_seeds_order(exports, seed, fmt):
    assert out_of_order(seed_cells(seed), exports(seed, fmt), skip=set(MAY_BE_OUT_OF_ORDER[seed])) == []
